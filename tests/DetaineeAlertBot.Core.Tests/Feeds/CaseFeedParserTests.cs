using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;

namespace DetaineeAlertBot.Core.Tests.Feeds;

public class CaseFeedParserTests
{
    private static FeedParseResult Parse(string json) => CaseFeedParser.Parse("feed", Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Parse_ContractExample_ReadsEveryField()
    {
        var result = Parse("""
            { "cases": [ {
              "id": "af-2024-0012",              // required, stable, unique per source
              "name": "Amir Amiry",
              "aliases": ["Amir Amiri"],
              "status": "detained",
              "statusSince": "2024-12-01",
              "nationality": "US", "country": "Afghanistan", "heldBy": "Taliban", "location": "Kabul",
              "summary": "held", "sourceUrl": "https://example.org/a", "updatedAt": "2026-11-22T10:00:00Z"
            } ] }
            """);

        Assert.True(result.IsValid);
        Assert.Empty(result.Rejections);
        var record = Assert.Single(result.Cases);
        Assert.Equal(new CaseKey("feed", "af-2024-0012"), record.Key);
        Assert.Equal("Amir Amiry", record.Name);
        Assert.Equal(["Amir Amiri"], record.Aliases);
        Assert.Equal(CaseStatus.Detained, record.Status);
        Assert.Equal(new DateOnly(2024, 12, 1), record.StatusSince);
        Assert.Equal("Taliban", record.HeldBy);
        Assert.Equal("https://example.org/a", record.SourceUrl);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero), record.UpdatedAt);
    }

    [Fact]
    public void Parse_BareArray_IsAccepted()
    {
        var result = Parse("""[ { "id": "1", "name": "A", "status": "on_trial" } ]""");

        Assert.Equal(CaseStatus.OnTrial, Assert.Single(result.Cases).Status);
    }

    [Theory]
    // Not JSON at all: the whole document is refused and says where.
    [InlineData("{ \"cases\": [ { \"id\": ", "not valid JSON")]
    // Valid JSON of the wrong shape.
    [InlineData("{ \"people\": [] }", "expected an object with a \"cases\" array")]
    [InlineData("\"just a string\"", "expected an object with a \"cases\" array")]
    public void Parse_BrokenDocument_IsRefusedWhole(string json, string expected)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.Contains(expected, result.DocumentError);
        Assert.Empty(result.Cases);
    }

    [Theory]
    // Each bad record is rejected with its reason; the good one next to it still applies.
    [InlineData("""{ "name": "A", "status": "detained" }""", "missing required field \"id\"")]
    [InlineData("""{ "id": "x", "status": "detained" }""", "missing required field \"name\"")]
    [InlineData("""{ "id": "x", "name": "A" }""", "missing required field \"status\"")]
    [InlineData("""{ "id": "x", "name": "A", "status": "jailed" }""", "unknown status 'jailed' (allowed: missing|detained|charged|on_trial|convicted|sentenced|acquitted|released|transferred|deceased|unknown)")]
    [InlineData("""{ "id": "x", "name": "A", "status": "detained", "statusSince": "last week" }""", "statusSince 'last week' is not a date")]
    [InlineData("""{ "id": "x", "name": "A", "status": "detained", "updatedAt": "soon" }""", "updatedAt 'soon' is not a timestamp")]
    [InlineData("""{ "id": "x", "name": "A", "status": "detained", "sourceUrl": "javascript:alert(1)" }""", "not an absolute http(s) URL")]
    [InlineData("""{ "id": "x", "name": 42, "status": "detained" }""", "\"name\" must be a string, found a number")]
    [InlineData("""{ "id": "x", "name": "A", "status": "detained", "aliases": "B" }""", "\"aliases\" must be an array of strings")]
    [InlineData("""17""", "expected an object, found a number")]
    public void Parse_BadRecord_IsRejectedWithReasonAndTheRestApplies(string bad, string reason)
    {
        var result = Parse($$"""{ "cases": [ {{bad}}, { "id": "good", "name": "Good", "status": "released" } ] }""");

        Assert.True(result.IsValid);
        Assert.Equal("good", Assert.Single(result.Cases).Id);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(0, rejection.Index);
        Assert.Contains(reason, rejection.Reason);
        Assert.Equal(2, result.RecordCount);
    }

    [Fact]
    public void Parse_DuplicateId_RejectsTheSecond()
    {
        var result = Parse("""[ { "id": "1", "name": "A", "status": "detained" }, { "id": "1", "name": "B", "status": "released" } ]""");

        Assert.Equal("A", Assert.Single(result.Cases).Name);
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(1, rejection.Index);
        Assert.Equal("1", rejection.Id);
        Assert.Contains("duplicate id", rejection.Reason);
    }

    [Theory]
    [InlineData("On trial", CaseStatus.OnTrial)]
    [InlineData("RELEASED", CaseStatus.Released)]
    [InlineData("on-trial", CaseStatus.OnTrial)]
    public void Parse_StatusSpellingVariants_AreAccepted(string status, CaseStatus expected)
    {
        var result = Parse($$"""[ { "id": "1", "name": "A", "status": "{{status}}" } ]""");

        Assert.Equal(expected, Assert.Single(result.Cases).Status);
    }

    [Fact]
    public void Parse_NumericIdAndTimestampSince_AreNormalized()
    {
        var result = Parse("""[ { "id": 1234, "name": "  Amir   Amiry ", "status": "detained", "statusSince": "2024-12-01T08:00:00Z", "aliases": ["Amir Amiri", "Amir Amiri", " "] } ]""");

        var record = Assert.Single(result.Cases);
        Assert.Equal("1234", record.Id);
        Assert.Equal("Amir Amiry", record.Name);
        Assert.Equal(new DateOnly(2024, 12, 1), record.StatusSince);
        Assert.Equal(["Amir Amiri"], record.Aliases);
    }

    [Fact]
    public void Parse_SampleFeed_HasNoRejections()
    {
        var path = Path.Combine(RepoRoot(), "config", "cases.sample.json");

        var result = CaseFeedParser.Parse("sample", File.ReadAllBytes(path));

        Assert.True(result.IsValid, result.DocumentError);
        Assert.Empty(result.Rejections);
        Assert.InRange(result.Cases.Count, 15, 30);
        Assert.Contains(result.Cases, c => c.Id == "af-2024-0012" && c.Name == "Amir Amiry" && c.Country == "Afghanistan");
        Assert.Contains(result.Cases, c => c.Name == "Sarah Hartsfield" && c.Status == CaseStatus.OnTrial);
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DetaineeAlertBot.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Repository root not found above " + AppContext.BaseDirectory);
    }
}
