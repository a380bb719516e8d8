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
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ADigestOfManyChanges_ReadsThemAllInQueueOrder_AndAnUnreadablePayloadFailsItAsOne(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Digests.SetAsync("slack", "C1", Schedule("daily 09:00 UTC"), "Dana (U1)", At, None);
        // Enough rows for the payloads to be read on every core.
        var cases = Enumerable.Range(0, DigestStore.ParallelReadFrom + 200).Select(i => Make.Case($"c{i:D4}", CaseStatus.Detained)).ToArray();
        await db.Cases.ApplyAsync(Make.Baseline(At, cases), None);
        await db.Watchlists.SeedAsync(cases.Select(c => new WatchlistEntry("slack", "C1", Make.Source, c.Id, "admin", At)).ToArray(), None);
        db.AdvanceTo(At.AddMinutes(10));
        await db.Cases.ApplyAsync(Make.Plan(At.AddMinutes(10), cases.Reverse().Select(c => Make.StatusChange(c with { Status = CaseStatus.Charged }, CaseStatus.Detained)).ToArray()), None);
        var term = await db.Outbox.BeginTermAsync(None);
        var claimed = (await db.Outbox.ClaimAsync(new ClaimRequest(term, "me", TimeSpan.FromMinutes(2), cases.Length, ["slack"]), None)).Items;
        Assert.Equal(cases.Length, claimed.Count);
        foreach (var row in claimed) Assert.True(await db.Outbox.MarkSentAsync(row.DeliveryId, term, IAlertOutbox.DigestExternalId, None));
        var queueOrder = claimed.Select(r => r.DeliveryId).ToArray(); // claims come in seq order

        // One payload that cannot be read: the digest fails with that payload's own error, and nothing is taken.
        var broken = queueOrder[DigestStore.ParallelReadFrom / 2];
        var payload = await db.TextAsync($"SELECT payload_json FROM alert_outbox WHERE delivery_id = '{broken}'");
        await db.ExecuteAsync($"UPDATE alert_outbox SET payload_json = '{{\"case\": ' WHERE delivery_id = '{broken}'");
        await Assert.ThrowsAnyAsync<System.Text.Json.JsonException>(() =>
            db.Digests.QueueAsync("slack", "C1", At.AddHours(1), (changes, _) => new AdminReport($"{changes.Count}", []), None));
        Assert.Equal(cases.Length, (await db.Digests.ListActiveAsync(10, None)).Single().Collected);

        await db.ExecuteAsync($"UPDATE alert_outbox SET payload_json = '{payload!.Replace("'", "''", StringComparison.Ordinal)}' WHERE delivery_id = '{broken}'");
        IReadOnlyList<Core.Alerts.AlertMessage>? taken = null;
        var queued = await db.Digests.QueueAsync("slack", "C1", At.AddHours(1), (changes, _) =>
        {
            taken = changes;
            return new AdminReport($"{changes.Count} changes", []);
        }, None);

        Assert.Equal(DigestQueueOutcome.Queued, queued.Outcome);
        Assert.Equal(queueOrder, taken!.Select(c => c.DeliveryId));
        Assert.Equal(cases.Reverse().Select(c => c.Id), taken!.Select(c => c.Case.Id));
        Assert.All(taken!, c => Assert.Equal((CaseStatus.Detained, CaseStatus.Charged, "C1"), (c.OldStatus, c.NewStatus, c.ChannelId)));
    }

    private static async Task CollectChangeAsync(TestDatabase db, CaseRecord record, CaseStatus from, CaseStatus to, DateTimeOffset at)
    {
        db.AdvanceTo(at);
        await db.Cases.ApplyAsync(Make.Plan(at, Make.StatusChange(record with { Status = to }, from)), None);
        var term = await db.Outbox.BeginTermAsync(None);
        foreach (var row in (await db.Outbox.ClaimAsync(new ClaimRequest(term, "me", TimeSpan.FromMinutes(2), 10, ["slack"]), None)).Items)
            Assert.True(await db.Outbox.MarkSentAsync(row.DeliveryId, term, row.Alert is null ? "posted-report" : IAlertOutbox.DigestExternalId, None));
    }
}
