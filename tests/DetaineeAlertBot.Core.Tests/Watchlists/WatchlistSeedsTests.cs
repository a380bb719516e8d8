using DetaineeAlertBot.Core.Watchlists;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Watchlists;

public class WatchlistSeedsTests
{
    [Fact]
    public void BareId_WithOneSource_BoundToIt()
    {
        var seeds = new WatchlistSeeds([new WatchlistSeed("slack", "C01", ["af-1", "push:af-2"])], ["file"]);

        Assert.Empty(seeds.Validate("Watchlists"));
        Assert.Equal([("file", "af-1"), ("push", "af-2")], seeds.ToEntries(Now).Select(e => (e.CaseSource, e.CaseId)));
        Assert.All(seeds.ToEntries(Now), e => Assert.Equal("config", e.AddedBy));
    }

    [Fact]
    public void BareId_WithSeveralSources_RefusedNamingTheKeyAndTheFix()
    {
        var seeds = new WatchlistSeeds([new WatchlistSeed("slack", "C01", ["file:af-1"]), new WatchlistSeed("discord", "1", ["af-2"])], ["file", "push"]);

        var failure = Assert.Single(seeds.Validate("Watchlists"));

        Assert.StartsWith("Watchlists:1:Cases 'af-2' does not say which source", failure, StringComparison.Ordinal);
        Assert.Contains("file:af-2", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownPlatform_EmptyChannelAndCases_EachReported()
    {
        var failures = new WatchlistSeeds([new WatchlistSeed("teams", " ", [])], ["file"]).Validate("Watchlists").ToArray();

        Assert.Equal(3, failures.Length);
        Assert.Contains(failures, f => f.StartsWith("Watchlists:0:Platform 'teams'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Watchlists:0:ChannelId is empty", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Watchlists:0:Cases is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void StyleAndDigest_AreChecked_OnCaseAndRuleEntriesAlike_AndTheLastOfAChannelWins()
    {
        var rule = new RuleSeed("Iran", null, null, null, null);
        var bad = new WatchlistSeeds(
        [
            new WatchlistSeed("slack", "C01", ["af-1"], Style: "fancy", Digest: "hourly"),
            new WatchlistSeed("slack", "C02", [], Style: "cards", Rule: rule, Digest: "daily 09:00 Mars/Olympus"),
        ], ["file"]).Validate("Watchlists").ToArray();

        Assert.Equal(4, bad.Length);
        Assert.Contains(bad, f => f.StartsWith("Watchlists:0:Style 'fancy' is not a style", StringComparison.Ordinal));
        Assert.Contains(bad, f => f.StartsWith("Watchlists:0:Digest: 'hourly' is not a schedule. Write off | daily HH:MM", StringComparison.Ordinal));
        Assert.Contains(bad, f => f.StartsWith("Watchlists:1:Style 'cards' is not a style", StringComparison.Ordinal));
        Assert.Contains(bad, f => f.StartsWith("Watchlists:1:Digest: 'Mars/Olympus' is not an IANA time zone", StringComparison.Ordinal));

        var good = new WatchlistSeeds(
        [
            new WatchlistSeed("slack", "C01", ["af-1"], Digest: "daily 09:00 UTC"),
            new WatchlistSeed("slack", "C01", [], Rule: rule, Digest: "weekly mon 08:00 Europe/Berlin"),
            new WatchlistSeed("slack", "C02", ["af-2"], Digest: "off"),
        ], ["file"]);
        Assert.Empty(good.Validate("Watchlists"));
        Assert.Equal([("C01", "weekly mon 08:00 Europe/Berlin"), ("C02", "off")], good.ToDigests().Select(d => (d.ChannelId, d.Schedule?.ToString() ?? "off")));
    }
}
