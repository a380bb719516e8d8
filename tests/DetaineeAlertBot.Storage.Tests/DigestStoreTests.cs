using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>Digest schedules and queueing on both stores: a period is queued once (again, after a reopen), takes every
/// collected change and nothing else, and an empty one posts nothing.</summary>
public sealed class DigestStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    private static DigestSchedule Schedule(string text)
    {
        Assert.True(DigestSchedule.TryParse(text, out var schedule, out var error), error);
        return schedule!;
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Schedule_OffUntilSet_SeedsNeverOverrideAnAdminsChoice_AndOnlyAScheduleCollects(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Null(await db.Digests.GetAsync("slack", "C1", None));
        Assert.False(await db.Digests.IsCollectingAsync("slack", "C1", None));

        await db.Digests.SetAsync("slack", "C1", Schedule("daily 09:00 Europe/Berlin"), "Dana (U1)", At, None);
        Assert.Equal(1, await db.Digests.SeedAsync([("slack", "C1", null), ("slack", "C2", Schedule("weekly mon 08:00 UTC"))], At, None));

        var c1 = (await db.Digests.GetAsync("slack", "C1", None))!;
        Assert.Equal("daily 09:00 Europe/Berlin", c1.Schedule!.ToString());
        Assert.Equal("Dana (U1)", c1.SetBy);
        Assert.Equal(At, c1.SetAt);
        Assert.Null(c1.LastDueAt);
        Assert.Equal("config", (await db.Digests.GetAsync("slack", "C2", None))!.SetBy);
        Assert.True(await db.Digests.IsCollectingAsync("slack", "C1", None));
        Assert.True((await db.Cards.GetDeliveryStateAsync("slack", "C1", new CaseKey(Make.Source, "a"), At, None)).Collecting);

        await db.Digests.SetAsync("slack", "C1", null, "Dana (U1)", At.AddHours(1), None);
        Assert.False(await db.Digests.IsCollectingAsync("slack", "C1", None));
        Assert.Equal(["C2"], (await db.Digests.ListActiveAsync(10, None)).Select(d => d.ChannelId));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AQueuedPeriod_TakesEveryCollectedChange_IsNeverQueuedTwice_EvenAfterAReopen_AndTheNextTakesOnlyWhatCameLater(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Digests.SetAsync("slack", "C1", Schedule("daily 09:00 UTC"), "Dana (U1)", At, None);
        var a = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(At, a), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "a", "admin", At), None);
        await CollectChangeAsync(db, a, CaseStatus.Detained, CaseStatus.Charged, At.AddMinutes(10));
        await CollectChangeAsync(db, a, CaseStatus.Charged, CaseStatus.Released, At.AddMinutes(20));
        Assert.Equal(2, (await db.Digests.ListActiveAsync(10, None)).Single().Collected);

        var due = At.AddHours(1);
        DateTimeOffset? since = null;
        var queued = await db.Digests.QueueAsync("slack", "C1", due, (changes, from) =>
        {
            since = from;
            return new AdminReport($"{changes.Count} changes", changes.Select(c => $"{c.OldStatus.ToWire()} → {c.NewStatus.ToWire()}").ToArray());
        }, None);

        Assert.Equal(DigestQueueOutcome.Queued, queued.Outcome);
        Assert.Equal(2, queued.Changes);
        Assert.Equal(At, since); // the schedule's set time: no digest before this one
        Assert.Equal(1, await db.CountAsync($"SELECT COUNT(*) FROM alert_outbox WHERE delivery_id = '{queued.DeliveryId}' AND kind = 'report' AND channel_id = 'C1' AND state = 'pending'"));
        Assert.Equal(2, await db.CountAsync($"SELECT COUNT(*) FROM alert_outbox WHERE digest_id = '{queued.DeliveryId}'"));
        Assert.Empty(await db.Digests.ListCollectedAsync("slack", "C1", 10, None));

        // The same period again, here and after a restart: nothing is written.
        Assert.Equal(DigestQueueOutcome.AlreadyDone, (await db.Digests.QueueAsync("slack", "C1", due, (_, _) => new AdminReport("again", []), None)).Outcome);
        await db.ReopenAsync();
        Assert.Equal(DigestQueueOutcome.AlreadyDone, (await db.Digests.QueueAsync("slack", "C1", due, (_, _) => new AdminReport("again", []), None)).Outcome);
        Assert.Equal(1, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox WHERE kind = 'report'"));
        Assert.Equal(due, (await db.Digests.GetAsync("slack", "C1", None))!.LastDueAt);

        // A later change goes to the next period only; a period with nothing to tell posts nothing.
        await CollectChangeAsync(db, a, CaseStatus.Released, CaseStatus.Deceased, At.AddHours(2));
        var next = await db.Digests.QueueAsync("slack", "C1", due.AddDays(1), (changes, from) =>
        {
            since = from;
            return new AdminReport($"{changes.Count} change", [changes.Single().NewStatus.ToWire()]);
        }, None);
        Assert.Equal((DigestQueueOutcome.Queued, 1), (next.Outcome, next.Changes));
        Assert.Equal(due, since);
        Assert.Equal(DigestQueueOutcome.Empty, (await db.Digests.QueueAsync("slack", "C1", due.AddDays(2), (changes, _) => changes.Count == 0 ? null : new AdminReport("?", []), None)).Outcome);
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox WHERE kind = 'report'"));
        Assert.Equal(due.AddDays(2), (await db.Digests.GetAsync("slack", "C1", None))!.LastDueAt);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACollectedChange_IsNotPrunedBeforeADigestTakesIt_NorReadAsACardsMessage(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Digests.SetAsync("slack", "C1", Schedule("weekly mon 08:00 UTC"), "Dana (U1)", At, None);
        var a = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(At, a), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "a", "admin", At), None);
        await CollectChangeAsync(db, a, CaseStatus.Detained, CaseStatus.Released, At.AddMinutes(10));

        // The change's row started the case's card (a carded channel): it was never posted, so the card has no message.
        Assert.Null((await db.Cards.FindAsync("slack", "C1", a.Key, None))!.MessageId);

        db.AdvanceTo(At.AddDays(60));
        Assert.Equal(0, await db.Outbox.PruneDeliveredAsync(TimeSpan.Zero, 100, None));
        Assert.Single(await db.Digests.ListCollectedAsync("slack", "C1", 10, None));
    }

    /// <summary>A change of <paramref name="record"/> routed to its watchers, claimed and collected as the card sink does.</summary>
    private static async Task CollectChangeAsync(TestDatabase db, CaseRecord record, CaseStatus from, CaseStatus to, DateTimeOffset at)
    {
        db.AdvanceTo(at);
        await db.Cases.ApplyAsync(Make.Plan(at, Make.StatusChange(record with { Status = to }, from)), None);
        var term = await db.Outbox.BeginTermAsync(None);
        foreach (var row in (await db.Outbox.ClaimAsync(new ClaimRequest(term, "me", TimeSpan.FromMinutes(2), 10, ["slack"]), None)).Items)
            Assert.True(await db.Outbox.MarkSentAsync(row.DeliveryId, term, row.Alert is null ? "posted-report" : IAlertOutbox.DigestExternalId, None));
    }
}
