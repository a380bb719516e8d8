using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;

namespace DetaineeAlertBot.Core.Tests.Feeds;

/// <summary>The parser's fast path (reuse the stored record when the JSON says exactly the same) must agree with the
/// full path in every case: reuse only when nothing differs, and never hide a change.</summary>
public class CaseFeedParserReuseTests
{
    private const string Full = """
        { "id": "af-1", "name": "Amir Amiry", "aliases": ["Amir Amiri", "امیر امیری"], "status": "detained",
          "statusSince": "2024-12-01", "nationality": "US", "country": "Afghanistan", "heldBy": "Taliban",
          "location": "Kabul", "summary": "Held since December.", "sourceUrl": "https://example.org/a",
          "updatedAt": "2026-11-22T10:00:00Z", "extra": { "ignored": true } }
        """;

    private static readonly CaseRecord Stored = CaseFeedParser.Parse("s", Encoding.UTF8.GetBytes($"[{Full}]")).Cases.Single();

    private static FeedParseResult ParseWithStore(string record) =>
        CaseFeedParser.Parse("s", Encoding.UTF8.GetBytes($"[{record}]"), id => id == Stored.Id ? Stored : null);

    [Fact]
    public void Parse_SameJson_ReturnsTheStoredInstance()
    {
        var result = ParseWithStore(Full);

        Assert.Same(Stored, Assert.Single(result.Cases));
    }

    [Theory]
    // One field changed: the new value must come through (the full path runs).
    [InlineData("\"status\": \"detained\"", "\"status\": \"released\"")]
    [InlineData("\"name\": \"Amir Amiry\"", "\"name\": \"Amir Amiry Jr.\"")]
    [InlineData("\"statusSince\": \"2024-12-01\"", "\"statusSince\": \"2024-12-02\"")]
    [InlineData("\"updatedAt\": \"2026-11-22T10:00:00Z\"", "\"updatedAt\": \"2026-11-22T10:00:01Z\"")]
    [InlineData("\"country\": \"Afghanistan\"", "\"country\": \"Pakistan\"")]
    [InlineData("\"heldBy\": \"Taliban\"", "\"heldBy\": null")]
    [InlineData("\"location\": \"Kabul\",", "")]
    [InlineData("\"summary\": \"Held since December.\",", "")]
    [InlineData("\"sourceUrl\": \"https://example.org/a\"", "\"sourceUrl\": \"https://example.org/b\"")]
    [InlineData("\"aliases\": [\"Amir Amiri\", \"امیر امیری\"]", "\"aliases\": [\"Amir Amiri\"]")]
    [InlineData("\"aliases\": [\"Amir Amiri\", \"امیر امیری\"]", "\"aliases\": [\"امیر امیری\", \"Amir Amiri\"]")]
    [InlineData("\"nationality\": \"US\", ", "")]
    public void Parse_OneFieldDiffers_IsNotReusedAndCarriesTheChange(string from, string to)
    {
        var changed = Full.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Full, changed);

        var withStore = Assert.Single(ParseWithStore(changed).Cases);
        var fullPath = Assert.Single(CaseFeedParser.Parse("s", Encoding.UTF8.GetBytes($"[{changed}]")).Cases);

        Assert.NotSame(Stored, withStore);
        Assert.False(withStore.SameAs(Stored));
        Assert.True(withStore.SameAs(fullPath));
    }

    [Theory]
    // Written differently, meaning the same: not reused, but the full path finds it unchanged.
    [InlineData("\"status\": \"detained\"", "\"status\": \"Detained\"")]
    [InlineData("\"name\": \"Amir Amiry\"", "\"name\": \" Amir  Amiry \"")]
    [InlineData("\"updatedAt\": \"2026-11-22T10:00:00Z\"", "\"updatedAt\": \"2026-11-22T12:00:00+02:00\"")]
    public void Parse_SameMeaningOtherSpelling_FallsBackAndEqualsStored(string from, string to)
    {
        var record = Assert.Single(ParseWithStore(Full.Replace(from, to, StringComparison.Ordinal)).Cases);

        Assert.True(record.SameAs(Stored));
    }

    [Fact]
    public void Parse_DuplicateOfAReusedRecord_IsStillRejected()
    {
        var result = ParseWithStore($"{Full}, {Full}");

        Assert.Single(result.Cases);
        Assert.Contains("duplicate id", Assert.Single(result.Rejections).Reason);
    }
}
