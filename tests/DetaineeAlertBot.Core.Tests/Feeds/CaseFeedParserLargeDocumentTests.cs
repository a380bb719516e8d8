using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;
using FsCheck.Xunit;

namespace DetaineeAlertBot.Core.Tests.Feeds;

/// <summary>A document over <see cref="CaseFeedParser.WholeDocumentMaxBytes"/> is read record by record instead of as one
/// JsonDocument: every result (records, rejections, document errors, counts, ids) must be the one the whole-document
/// parse gives. Each test parses the same bytes both ways (threshold above and below the document's size).</summary>
public sealed class CaseFeedParserLargeDocumentTests
{
    private const string Seed = "(20261204,2468101)";

    [Property(MaxTest = 2500, Replay = Seed, Arbitrary = [typeof(FeedArbitraries)])]
    public void MutatedDocument_SameResultEitherWay(MutatedDocument document) => AssertSame(document.Bytes);

    [Property(MaxTest = 600, Replay = Seed, Arbitrary = [typeof(FeedArbitraries)])]
    public void MixedDocument_SameResultEitherWay(MixedDocument document) => AssertSame(document.Bytes);

    public static TheoryData<string> Shapes() =>
    [
        """{"cases": [{"id": "a", "name": "A", "status": "detained"}]}""",
        """[{"id": "a", "name": "A", "status": "detained"}, {"id": "b", "name": "B", "status": "released"}]""",
        // Members before and after, of every kind, nested arrays and objects among them.
        """{"version": 2, "meta": {"cases": [1, 2], "x": [[{}]]}, "cases": [{"id": "a", "name": "A", "status": "detained", "aliases": ["x", "y"]}], "tail": [{"cases": []}]}""",
        // The last "cases" wins, as in JsonElement.TryGetProperty; an array after one that is not, and the other way round.
        """{"cases": [{"id": "a", "name": "A", "status": "detained"}], "cases": [{"id": "b", "name": "B", "status": "charged"}]}""",
        """{"cases": [{"id": "a", "name": "A", "status": "detained"}], "cases": 5}""",
        """{"cases": 5, "cases": [{"id": "a", "name": "A", "status": "detained"}]}""",
        // Escaped names: "cases" written with an escape, one that is not "cases", and a lone surrogate after or before it.
        """{"ca\u0073es": [{"id": "a", "name": "A", "status": "detained"}]}""",
        """{"cases": [{"id": "a", "name": "A", "status": "detained"}], "c\u0061sex": [1]}""",
        """{"cases": [{"id": "a", "name": "A", "status": "detained"}], "\ud800": 1}""",
        """{"\ud800": 1, "cases": [{"id": "a", "name": "A", "status": "detained"}]}""",
        // Elements that are not objects, empty records arrays, comments and trailing commas.
        """[1, "two", null, true, [3], {"id": "a", "name": "A", "status": "detained"}, ]""",
        """{"cases": []}""",
        """[]""",
        "/* feed */ {\"cases\": [ // first\n {\"id\": \"a\", \"name\": \"A\", \"status\": \"detained\",},\n]} // end",
        // Shapes that are not feeds, and documents that do not parse as a whole.
        """{"other": []}""",
        """{}""",
        "5",
        "\"text\"",
        "",
        "   ",
        "\uFEFF[{\"id\": \"a\", \"name\": \"A\", \"status\": \"detained\"}]",
        """[{"id": "a", "name": "A", "status": "detained"}] trailing""",
        """[{"id": "a", "name": "A", "status": "detained"}, {"id": "b", "name": "B\x", "status": "detained"}]""",
        """{"cases": [{"id": "a", "name": "A", "status": "detained"}""",
        // Depth: the deepest a record may nest in each shape, and one more.
        "[{\"id\": \"a\", \"name\": \"A\", \"status\": \"detained\", \"x\": " + Nested(14) + "}]",
        "[{\"id\": \"a\", \"name\": \"A\", \"status\": \"detained\", \"x\": " + Nested(15) + "}]",
        "{\"cases\": [{\"id\": \"a\", \"name\": \"A\", \"status\": \"detained\", \"x\": " + Nested(13) + "}]}",
        "{\"cases\": [{\"id\": \"a\", \"name\": \"A\", \"status\": \"detained\", \"x\": " + Nested(14) + "}]}",
    ];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Shape_SameResultEitherWay(string document) => AssertSame(Encoding.UTF8.GetBytes(document));

    [Fact]
    public void KnownRecordsAndAMemo_SameResultEitherWay()
    {
        var document = Encoding.UTF8.GetBytes(
            """{"cases": [{"id": "a", "name": "A", "status": "detained"}, {"id": "b", "name": "B", "status": "charged", "country": "Iran"}, {"id": "c", "name": "C", "status": "released"}]}""");
        var stored = CaseFeedParser.Parse("feed", document).Cases.ToDictionary(c => c.Id);
        var changed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(document).Replace("\"charged\"", "\"released\"", StringComparison.Ordinal));

        // The stored records are reused either way; a memo filled by a small document is used, then forgotten.
        var memoWhole = new FeedRecordMemo();
        var memoLarge = new FeedRecordMemo();
        CaseFeedParser.Parse("feed", document, null, memoWhole);
        CaseFeedParser.Parse("feed", document, null, memoLarge);
        var whole = CaseFeedParser.Parse("feed", changed, id => stored.GetValueOrDefault(id), memoWhole, int.MaxValue);
        var large = CaseFeedParser.Parse("feed", changed, id => stored.GetValueOrDefault(id), memoLarge, 0);

        Assert.Equal(Describe(whole), Describe(large));
        Assert.Null(memoLarge.Of("feed"));
        var known = CaseFeedParser.Parse("feed", changed, id => stored.GetValueOrDefault(id), null, 0);
        Assert.Equal(Describe(whole), Describe(known));
        Assert.Same(stored["a"], known.Cases[0]);
    }

    private static void AssertSame(byte[] document)
    {
        var whole = CaseFeedParser.Parse("feed", document, null, null, int.MaxValue);
        var large = CaseFeedParser.Parse("feed", document, null, null, 0);
        Assert.Equal(Describe(whole), Describe(large));
    }

    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    private static string Describe(FeedParseResult result)
    {
        var text = new StringBuilder();
        text.AppendLine($"error: {result.DocumentError}; records {result.RecordCount}; rejected {result.RejectedCount} ({result.RejectedWithoutId} without id)");
        text.AppendLine($"rejected ids: {string.Join(", ", result.RejectedIds.Order(StringComparer.Ordinal))}");
        foreach (var c in result.Cases)
        {
            text.AppendLine($"{c.Source}/{c.Id} {c.Name} [{string.Join("|", c.Aliases)}] {c.Status} {c.StatusSince} {c.Nationality} {c.Country} {c.HeldBy} "
                + $"{c.Location} {c.Summary} {c.SourceUrl} {c.UpdatedAt:O}");
        }
        foreach (var r in result.Rejections) text.AppendLine(r.ToString());
        return text.ToString();
    }
}
