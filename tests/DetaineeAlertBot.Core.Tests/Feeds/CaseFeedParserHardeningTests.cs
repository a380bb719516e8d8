using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;

namespace DetaineeAlertBot.Core.Tests.Feeds;

/// <summary>Hostile or broken input: every bad record is rejected with a reason and the good ones around it apply.</summary>
public class CaseFeedParserHardeningTests
{
    private const string Good = """{ "id": "good", "name": "Good Person", "status": "released" }""";

    private static FeedParseResult Parse(string json) => CaseFeedParser.Parse("feed", Encoding.UTF8.GetBytes(json));

    private static RecordRejection SingleRejectionBesideGood(string bad, string? wrapper = null)
    {
        var result = Parse(wrapper is null ? $$"""{ "cases": [ {{bad}}, {{Good}} ] }""" : string.Format(wrapper, bad, Good));

        Assert.True(result.IsValid, result.DocumentError);
        Assert.Equal("good", Assert.Single(result.Cases).Id);
        Assert.Equal(1, result.RejectedCount);
        Assert.Equal(2, result.RecordCount);
        return Assert.Single(result.Rejections);
    }

    [Theory]
    [InlineData("name")]
    [InlineData("summary")]
    [InlineData("country")]
    [InlineData("statusSince")]
    public void LoneSurrogateEscape_RejectsOnlyThatRecord(string field)
    {
        var rejection = SingleRejectionBesideGood($$"""{ "id": "af-1", "name": "A", "status": "detained", "{{field}}": "x\ud800y" }""");

        Assert.Equal("feed", rejection.Source);
        Assert.Equal(0, rejection.Index);
        Assert.Equal("af-1", rejection.Id);
        Assert.Contains($"\"{field}\" is not valid text", rejection.Reason);
        Assert.Contains("lone surrogate", rejection.Reason);
    }

    [Fact]
    public void LoneSurrogateEscape_InAlias_RejectsTheRecord()
    {
        var rejection = SingleRejectionBesideGood("""{ "id": "af-1", "name": "A", "status": "detained", "aliases": ["\udc00"] }""");

        Assert.Contains("\"aliases\" is not valid text", rejection.Reason);
    }

    [Fact]
    public void LoneSurrogateEscape_InId_RejectsWithoutId()
    {
        var rejection = SingleRejectionBesideGood("""{ "id": "\ud800", "name": "A", "status": "detained" }""");

        Assert.Null(rejection.Id);
        Assert.Contains("\"id\" is not valid text", rejection.Reason);
    }

    [Fact]
    public void LoneSurrogateEscape_OnTheReusePath_IsRejectedNotThrown()
    {
        var stored = TestData.Case("af-1", name: "A");
        var document = Encoding.UTF8.GetBytes($$"""[ { "id": "af-1", "name": "\ud800", "status": "detained", "country": "Afghanistan" }, { "id": "\udfff", "name": "B", "status": "detained" }, {{Good}} ]""");

        var result = CaseFeedParser.Parse("feed", document, id => id == "af-1" ? stored : null);

        Assert.Equal("good", Assert.Single(result.Cases).Id);
        Assert.Equal(2, result.RejectedCount);
        Assert.Equal(["af-1"], result.RejectedIds);
        Assert.Equal(1, result.RejectedWithoutId);
    }

    [Fact]
    public void InvalidEscape_IsRecoveredRecordByRecord()
    {
        var result = Parse($$"""
            { "generatedBy": "export", "cases": [
              {{Good}},
              { "id": "af-2", "name": "Bad \x escape", "status": "detained" },
              { "id": "other", "name": "Other Person", "status": "charged" },
            ] }
            """);

        Assert.True(result.IsValid, result.DocumentError);
        Assert.Equal(["good", "other"], result.Cases.Select(c => c.Id));
        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(1, rejection.Index);
        Assert.Equal("af-2", rejection.Id);
        Assert.Contains("not valid JSON (line 3)", rejection.Reason);
        Assert.Equal(3, result.RecordCount);
    }

    [Fact]
    public void RawInvalidBytes_InABareArray_AreRecoveredRecordByRecord()
    {
        var before = Encoding.UTF8.GetBytes("""[ { "id": 7, "name": "Bad """);
        var after = Encoding.UTF8.GetBytes($$""" ", "status": "detained" }, {{Good}} ]""");
        byte[] document = [.. before, 0xFF, 0xFE, .. after];

        var result = CaseFeedParser.Parse("feed", document);

        Assert.True(result.IsValid, result.DocumentError);
        Assert.Equal("good", Assert.Single(result.Cases).Id);
        Assert.Equal("7", Assert.Single(result.Rejections).Id);
    }

    [Fact]
    public void MissingRecordBetweenCommas_IsRejectedDuringRecovery()
    {
        var result = Parse($$"""[ {{Good}}, , { "id": "x", "name": "\x", "status": "detained" } ]""");

        Assert.Equal("good", Assert.Single(result.Cases).Id);
        Assert.Equal([1, 2], result.Rejections.Select(r => r.Index));
        Assert.Contains("no record between two commas", result.Rejections[0].Reason);
    }

    [Theory]
    [InlineData("""{ "cases": [ { "id": "1", "name": "\x", "status": "detained" }""", "truncated")]
    [InlineData("""{ "cases": [ { "id": "1", "name": "\x", "status": "detained" } ] ] }""", "after the \"cases\" array")]
    [InlineData("""[ { "id": "1", "name": "\x", "status": "detained" } ] ] ]""", "unexpected text after the end")]
    [InlineData("""{ "cases": [ { "id": "1", "name": "\x" } }, "more": 1 }""", "unbalanced '}'")]
    [InlineData("""[ { "id": "1", "name": "\x", "status": "detained" ] ]""", "other kind")]
    [InlineData("""[ { "id": "1", "name": "\x, "status": "detained" } ]""", "not closed")]
    [InlineData("""{ "people": [ { "id": "1", "name": "\x" } ] }""", "expected an object with a \"cases\" array")]
    [InlineData(""" "\x" """, "expected an object with a \"cases\" array")]
    [InlineData("""[ { "id": "1", "name": "\x" } ] trailing""", "unexpected text after the end")]
    [InlineData("""[ { "id": "1", "name": "\x" } ] /* open""", "comment is not closed")]
    public void BrokenStructure_IsRefusedWhole(string json, string expected)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.Contains("not valid JSON", result.DocumentError);
        Assert.Contains(expected, result.DocumentError);
        Assert.Empty(result.Cases);
        Assert.Empty(result.Rejections);
    }

    [Theory]
    [InlineData("statusSince", "03/04/2025")]
    [InlineData("statusSince", "2025-3-4")]
    [InlineData("statusSince", "2025-03-04T10:00:00")]
    [InlineData("statusSince", "2025-13-01")]
    [InlineData("statusSince", "2025-03-04 10:00:00Z")]
    [InlineData("statusSince", "٢٠٢٥-٠٣-٠٤")]
    [InlineData("updatedAt", "2026-11-22T10:00:00")]
    [InlineData("updatedAt", "22 Nov 2026 10:00 +00:00")]
    [InlineData("updatedAt", "2026-11-22T10:00:00+0200")]
    [InlineData("updatedAt", "1732269600")]
    public void NonIsoDate_RejectsTheRecordNamingTheFieldAndForm(string field, string value)
    {
        var rejection = SingleRejectionBesideGood($$"""{ "id": "d", "name": "A", "status": "detained", "{{field}}": "{{value}}" }""");

        Assert.Equal("d", rejection.Id);
        Assert.StartsWith($"{field} '{value}' is not a", rejection.Reason);
        Assert.Contains("YYYY-MM-DD", rejection.Reason);
        Assert.Contains("offset", rejection.Reason);
    }

    [Theory]
    [InlineData("statusSince", "2025-03-04", "2025-03-04T00:00:00+00:00")]
    [InlineData("statusSince", "2025-03-04T23:30:00-02:00", "2025-03-05T00:00:00+00:00")]
    [InlineData("updatedAt", "2026-11-22", "2026-11-22T00:00:00+00:00")]
    [InlineData("updatedAt", "2026-11-22T12:00+02:00", "2026-11-22T10:00:00+00:00")]
    [InlineData("updatedAt", "2026-11-22T10:00:00.1234567Z", "2026-11-22T10:00:00.1234567+00:00")]
    public void IsoDates_AreAccepted(string field, string value, string expected)
    {
        var record = Assert.Single(Parse($$"""[ { "id": "d", "name": "A", "status": "detained", "{{field}}": "{{value}}" } ]""").Cases);

        var expectedAt = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);
        if (field == "statusSince") Assert.Equal(DateOnly.FromDateTime(expectedAt.UtcDateTime), record.StatusSince);
        else Assert.Equal(expectedAt, record.UpdatedAt);
    }

    [Theory]
    [InlineData("af\\u0000-1")]
    [InlineData("af\\n-1")]
    [InlineData("af\\u200B-1")]
    [InlineData("af\\u202E-1")]
    [InlineData("af\\u0085-1")]
    public void ControlOrFormatCharacterInId_RejectsTheRecord(string escapedId)
    {
        var rejection = SingleRejectionBesideGood($$"""{ "id": "{{escapedId}}", "name": "A", "status": "detained" }""");

        Assert.Equal("id contains control or format characters", rejection.Reason);
        Assert.NotNull(rejection.Id);
        Assert.DoesNotContain(rejection.ToString(), c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
    }

    [Theory]
    [InlineData("id", CaseFeedParser.MaxIdLength)]
    [InlineData("name", CaseFeedParser.MaxNameLength)]
    [InlineData("summary", CaseFeedParser.MaxTextLength)]
    [InlineData("country", CaseFeedParser.MaxCountryLength)]
    [InlineData("nationality", CaseFeedParser.MaxNationalityLength)]
    [InlineData("heldBy", CaseFeedParser.MaxHeldByLength)]
    [InlineData("location", CaseFeedParser.MaxLocationLength)]
    [InlineData("sourceUrl", CaseFeedParser.MaxSourceUrlLength)]
    public void FieldOverItsCap_RejectsTheRecordNamingFieldAndCap(string field, int cap)
    {
        var atCap = new string('a', cap);
        var overCap = atCap + "a";
        string Record(string value) => field == "id"
            ? $$"""{ "id": "{{value}}", "name": "A", "status": "detained" }"""
            : $$"""{ "id": "x", "name": "A", "status": "detained", "{{field}}": "{{(field == "sourceUrl" ? "https://e.org/" + value[14..] : value)}}" }""";

        var accepted = Parse($"[ {Record(atCap)} ]");
        var rejection = SingleRejectionBesideGood(Record(overCap));

        Assert.Single(accepted.Cases);
        Assert.Equal($"\"{field}\" is longer than {cap} characters", rejection.Reason);
    }

    [Fact]
    public void TooManyRecords_RefusesTheDocumentWhole()
    {
        var document = new StringBuilder("[");
        for (var i = 0; i <= CaseFeedParser.MaxRecords; i++) document.Append(i == 0 ? "" : ",").Append('1');
        var tooMany = document.Append(']').ToString();
        var tooManyAndBroken = tooMany.Replace("[1,", "[\"\\x\",", StringComparison.Ordinal);

        foreach (var json in new[] { tooMany, tooManyAndBroken })
        {
            var result = Parse(json);

            Assert.False(result.IsValid);
            Assert.Contains($"at most {CaseFeedParser.MaxRecords} are accepted", result.DocumentError);
            Assert.Empty(result.Rejections);
        }
    }

    [Fact]
    public void ManyBadRecords_KeepTheFirstHundredAndCountAll()
    {
        const int bad = 250;
        var records = Enumerable.Range(0, bad).Select(i => $$"""{ "id": "bad-{{i}}", "name": "A", "status": "jailed" }""").Append(Good);

        var result = Parse($"[{string.Join(",", records)}]");

        Assert.Equal("good", Assert.Single(result.Cases).Id);
        Assert.Equal(bad, result.RejectedCount);
        Assert.Equal(FeedParseResult.MaxRejectionsKept, result.Rejections.Count);
        Assert.Equal(Enumerable.Range(0, FeedParseResult.MaxRejectionsKept), result.Rejections.Select(r => r.Index));
        Assert.Equal(bad, result.RejectedIds.Count);
        Assert.Contains("bad-249", result.RejectedIds);
    }

    [Fact]
    public void NamesAndTexts_AreCleanedAndNormalised()
    {
        var record = Assert.Single(Parse("""
            [ { "id": "c", "name": "\u202EAmir\u200B Amiry\u0007", "aliases": ["Ami\u0301r\u2066"], "status": "detained",
                "country": "Afghan\u00ADistan\u200F", "summary": "Line one\r\nLine\ttwo\u0000\u202D" } ]
            """).Cases);

        Assert.Equal("Amir Amiry", record.Name);
        Assert.Equal(["Amír"], record.Aliases);
        Assert.Equal("\u00EDr", record.Aliases[0][2..]); // NFC: i + combining acute became one character
        Assert.Equal("Afghan\u00ADistan", record.Country);
        Assert.Equal("Line one\nLine\ttwo", record.Summary);
    }

    [Fact]
    public void NameOfOnlyInvisibleCharacters_IsMissing()
    {
        var rejection = SingleRejectionBesideGood("""{ "id": "c", "name": "\u200B\u202E", "status": "detained" }""");

        Assert.Equal("missing required field \"name\"", rejection.Reason);
    }

    [Fact]
    public void TimestampWithoutOffset_IsNotReusedFromTheStore()
    {
        var stored = CaseFeedParser.Parse("s", Encoding.UTF8.GetBytes("""[ { "id": "1", "name": "A", "status": "detained", "updatedAt": "2026-11-22T10:00:00Z" } ]""")).Cases.Single();

        var result = CaseFeedParser.Parse("s", Encoding.UTF8.GetBytes("""[ { "id": "1", "name": "A", "status": "detained", "updatedAt": "2026-11-22T10:00:00" } ]"""),
            id => id == "1" ? stored : null);

        Assert.Empty(result.Cases);
        Assert.StartsWith("updatedAt '2026-11-22T10:00:00' is not a timestamp", Assert.Single(result.Rejections).Reason);
    }
}
