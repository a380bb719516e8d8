using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Feeds;
using FsCheck.Xunit;

namespace DetaineeAlertBot.Core.Tests.Feeds;

/// <summary>The record memo must never change what a document parses to: only how much work it takes.</summary>
public class FeedRecordMemoTests
{
    private const string Seed = "(20261203,2468013)";

    private static byte[] Doc(params string[] records) => Encoding.UTF8.GetBytes("{\"cases\": [" + string.Join(",", records) + "]}");

    private static string Rec(string id, string status = "detained", string name = "Amir Amiry") =>
        $$"""{"id": "{{id}}", "name": "{{name}}", "status": "{{status}}", "country": "Afghanistan"}""";

    private static void AssertSameResult(FeedParseResult expected, FeedParseResult actual)
    {
        Assert.Equal((expected.DocumentError, expected.RecordCount, expected.RejectedCount, expected.RejectedWithoutId),
            (actual.DocumentError, actual.RecordCount, actual.RejectedCount, actual.RejectedWithoutId));
        Assert.Equal(expected.Cases.Count, actual.Cases.Count);
        for (var i = 0; i < expected.Cases.Count; i++)
        {
            Assert.True(expected.Cases[i].SameAs(actual.Cases[i]) && expected.Cases[i].Source == actual.Cases[i].Source,
                $"case #{i}: {expected.Cases[i].Id} differs");
        }
        Assert.Equal(expected.Rejections, actual.Rejections);
        Assert.Equal(expected.RejectedIds.ToHashSet(), actual.RejectedIds.ToHashSet());
    }

    [Fact]
    public void SecondDocument_OneRecordChanged_ReusesTheOthersEvenMoved_AndCarriesTheChange()
    {
        var memo = new FeedRecordMemo();
        var first = CaseFeedParser.Parse("feed", Doc(Rec("a"), Rec("b"), Rec("c")), memo: memo);

        // "c" moved to the front, "b" released.
        var secondBytes = Doc(Rec("c"), Rec("a"), Rec("b", "released"));
        var second = CaseFeedParser.Parse("feed", secondBytes, memo: memo);

        AssertSameResult(CaseFeedParser.Parse("feed", secondBytes), second);
        Assert.Same(first.Cases[2], second.Cases[0]);
        Assert.Same(first.Cases[0], second.Cases[1]);
        Assert.NotSame(first.Cases[1], second.Cases[2]);
        Assert.Equal("released", second.Cases[2].Status.ToWire());
    }

    [Fact]
    public void RejectedRecord_IsReportedEveryTime()
    {
        var memo = new FeedRecordMemo();
        var bytes = Doc(Rec("a"), Rec("b", status: "vanished"));

        var first = CaseFeedParser.Parse("feed", bytes, memo: memo);
        var second = CaseFeedParser.Parse("feed", bytes, memo: memo);

        Assert.Equal((1, 1), (first.RejectedCount, second.RejectedCount));
        Assert.Equal(first.Rejections, second.Rejections);
    }

    [Fact]
    public void Sources_AreRememberedApart_AndABrokenDocumentForgetsItsSource()
    {
        var memo = new FeedRecordMemo();
        var fromA = CaseFeedParser.Parse("a", Doc(Rec("1")), memo: memo);
        var fromB = CaseFeedParser.Parse("b", Doc(Rec("1")), memo: memo);
        Assert.Equal(("a", "b"), (fromA.Cases[0].Source, fromB.Cases[0].Source));
        Assert.Same(fromA.Cases[0], CaseFeedParser.Parse("a", Doc(Rec("1")), memo: memo).Cases[0]);

        Assert.False(CaseFeedParser.Parse("a", Encoding.UTF8.GetBytes("{\"cases\": [" + Rec("1")), memo: memo).IsValid);

        Assert.NotSame(fromA.Cases[0], CaseFeedParser.Parse("a", Doc(Rec("1")), memo: memo).Cases[0]);
        Assert.Same(fromB.Cases[0], CaseFeedParser.Parse("b", Doc(Rec("1")), memo: memo).Cases[0]);
    }

    [Fact]
    public void DocumentOverTheLimit_IsNotRemembered()
    {
        var memo = new FeedRecordMemo();
        var records = Enumerable.Range(0, 12_000).Select(i => Rec($"case-{i:D6}", name: new string('x', 80))).ToArray();
        var big = Doc(records);
        Assert.True(big.Length > FeedRecordMemo.MaxDocumentBytes, $"{big.Length} bytes");

        var first = CaseFeedParser.Parse("feed", big, memo: memo);
        var again = CaseFeedParser.Parse("feed", big, memo: memo);

        Assert.Equal(12_000, again.Cases.Count);
        Assert.NotSame(first.Cases[0], again.Cases[0]);
    }

    /// <summary>Any document after any other (valid, broken, with bad records, the same again): the same result with and
    /// without the memo.</summary>
    [Property(MaxTest = 400, Replay = Seed, Arbitrary = [typeof(FeedArbitraries)])]
    public void AnyDocumentAfterAnother_ParsesAsWithoutTheMemo(MutatedDocument before, MixedDocument mixed, MutatedDocument after)
    {
        var memo = new FeedRecordMemo();
        foreach (var bytes in new[] { before.Bytes, mixed.Bytes, mixed.Bytes, after.Bytes, mixed.Bytes })
        {
            AssertSameResult(CaseFeedParser.Parse("feed", bytes), CaseFeedParser.Parse("feed", bytes, memo: memo));
        }
    }
}
