using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>A sync's store transaction claiming its new rows for the leading dispatcher (DeliveryHandoff): the same
/// claim, with the same checks, inside the one transaction that writes the change.</summary>
public sealed class ClaimAtStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly string[] Platforms = ["discord", "slack"];

    /// <summary>Cases "a" and "b" detained (baseline), "a" watched by discord/ch1 and slack/C1, "b" by discord/ch1.</summary>
    private static async Task<TestDatabase> WatchedAsync(string provider)
    {
        var db = await TestDatabase.CreateAsync(provider);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained), Make.Case("b", CaseStatus.Detained)), None);
        foreach (var (platform, channel, caseId) in new[] { ("discord", "ch1", "a"), ("slack", "C1", "a"), ("discord", "ch1", "b") })
        {
            await db.Watchlists.AddAsync(new WatchlistEntry(platform, channel, Make.Source, caseId, "admin", TestDatabase.Start), None);
        }
        return db;
    }

    private static Task<ApplyResult> ReleaseAsync(TestDatabase db, string caseId, DateTimeOffset at, ClaimRequest? claim, CaseStatus from = CaseStatus.Detained)
    {
        db.AdvanceTo(at);
        return db.Cases.ApplyAsync(Make.Plan(at, Make.StatusChange(Make.Case(caseId, CaseStatus.Released), from)), claim, None);
    }

    private static ClaimRequest Claim(long term, params string[] platforms) => new(term, "w1", Lease, 16, platforms.Length == 0 ? Platforms : platforms);

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_WithTheCurrentTermsClaim_CommitsTheNewRowsClaimedAndReturnsThem(string provider)
    {
        await using var db = await WatchedAsync(provider);
        var term = await db.Outbox.BeginTermAsync(None);

        var result = await ReleaseAsync(db, "a", TestDatabase.Start.AddHours(1), Claim(term));

        Assert.Equal(2, result.AlertsQueued);
        var claimed = result.Claimed!.Items;
        Assert.Equal(["discord/ch1", "slack/C1"], claimed.Select(i => $"{i.Platform}/{i.ChannelId}").Order(StringComparer.Ordinal));
        Assert.All(claimed, i => Assert.Equal(("a", CaseStatus.Released, 1, false), (i.Alert!.Case.Id, i.Alert.NewStatus, i.Alert.Attempt, i.InDoubt)));
        foreach (var item in claimed) Assert.Equal(OutboxState.Sending, (await db.Outbox.FindAsync(item.DeliveryId, None))!.State);
        // Claimed for this term: the dispatcher's own claim finds nothing more, and its marks are accepted.
        Assert.Empty((await db.Outbox.ClaimAsync(Claim(term), None)).Items);
        Assert.True(await db.Outbox.MarkSentAsync(claimed[0].DeliveryId, term, "m1", None));
        Assert.Equal(OutboxState.Sent, (await db.Outbox.FindAsync(claimed[0].DeliveryId, None))!.State);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_WithAnOldTermsClaim_ClaimsNothingAndTheRowsWaitPendingForTheLeader(string provider)
    {
        await using var db = await WatchedAsync(provider);
        var old = await db.Outbox.BeginTermAsync(None);
        var current = await db.Outbox.BeginTermAsync(None); // Another instance took the lead.

        var result = await ReleaseAsync(db, "a", TestDatabase.Start.AddHours(1), Claim(old));

        Assert.Equal(2, result.AlertsQueued);
        Assert.Empty(result.Claimed!.Items);
        Assert.Equal((2L, 0L), ((await db.Outbox.GetStatsAsync(None)).Pending, (await db.Outbox.GetStatsAsync(None)).Sending));
        Assert.Equal(2, (await db.Outbox.ClaimAsync(Claim(current), None)).Items.Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_WithAClaim_KeepsPausesPlatformsAndTheOrderOfEachChannelAndCase(string provider)
    {
        await using var db = await WatchedAsync(provider);
        var term = await db.Outbox.BeginTermAsync(None);
        var first = await ReleaseAsync(db, "b", TestDatabase.Start.AddHours(1), null); // b released: pending, unclaimed
        Assert.Null(first.Claimed);
        await db.Outbox.PauseAsync("slack", null, "invalid_auth", TimeSpan.FromHours(1), None);

        // a released (discord/ch1 and slack/C1, Slack paused), and b detained again (after its pending release).
        db.AdvanceTo(TestDatabase.Start.AddHours(2));
        var result = await db.Cases.ApplyAsync(Make.Plan(TestDatabase.Start.AddHours(2),
            Make.StatusChange(Make.Case("a", CaseStatus.Released), CaseStatus.Detained),
            Make.StatusChange(Make.Case("b", CaseStatus.Detained), CaseStatus.Released)), Claim(term), None);

        Assert.Equal(3, result.AlertsQueued);
        // The older pending row of b goes first (it is due and its own oldest), then a's Discord row; a's Slack row waits
        // for the pause, and b's newer row for b's older one.
        Assert.Equal(["ch1:b:released", "ch1:a:released"],
            result.Claimed!.Items.Select(i => $"{i.ChannelId}:{i.Alert!.Case.Id}:{i.Alert.NewStatus.ToWire()}"));
        var stats = await db.Outbox.GetStatsAsync(None);
        Assert.Equal((2L, 2L), (stats.Pending, stats.Sending));

        // A claim for Discord alone leaves Slack's rows pending even without a pause.
        await db.Outbox.ResumeAsync("slack", null, None);
        foreach (var item in result.Claimed.Items) Assert.True(await db.Outbox.MarkSentAsync(item.DeliveryId, term, null, None));
        var slackRow = Assert.Single((await db.Outbox.ClaimAsync(Claim(term, "slack"), None)).Items);
        Assert.True(await db.Outbox.MarkSentAsync(slackRow.DeliveryId, term, null, None));
        db.AdvanceTo(TestDatabase.Start.AddHours(3));
        var onlyDiscord = await db.Cases.ApplyAsync(Make.Plan(TestDatabase.Start.AddHours(3),
            Make.StatusChange(Make.Case("a", CaseStatus.Detained), CaseStatus.Released)), Claim(term, "discord"), None);
        Assert.Equal(2, onlyDiscord.AlertsQueued);
        // Any due row of the claimed platforms comes along, oldest first: b's newer row (its older one is sent now), then a's.
        Assert.Equal(["discord/ch1:b", "discord/ch1:a"], onlyDiscord.Claimed!.Items.Select(i => $"{i.Platform}/{i.ChannelId}:{i.Alert!.Case.Id}"));
        var slackLeft = await db.Outbox.ClaimAsync(Claim(term, "slack"), None);
        Assert.Equal(["slack/C1:a:detained"], slackLeft.Items.Select(i => $"{i.Platform}/{i.ChannelId}:{i.Alert!.Case.Id}:{i.Alert.NewStatus.ToWire()}"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_ABaselineOrAChangeNobodyWatches_ClaimsNothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var term = await db.Outbox.BeginTermAsync(None);

        var baseline = await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained)), Claim(term), None);
        var unwatched = await ReleaseAsync(db, "a", TestDatabase.Start.AddHours(1), Claim(term));

        Assert.Null(baseline.Claimed);
        Assert.Equal((0, (ClaimedBatch?)null), (unwatched.AlertsQueued, unwatched.Claimed));
    }
}
