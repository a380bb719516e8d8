using System.Collections.Concurrent;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>The outbox as a fenced work queue. Times come from the database's clock: for SQLite that is
/// <see cref="TestDatabase.Time"/> (moved by the tests), for Postgres the server's now(), which is later than every
/// time these tests write. So a test that needs time to pass uses a delay of 0 (due at once on both) against 1 hour
/// (not due on either), and only SQLite tests step the clock past a delay.</summary>
public sealed class AlertOutboxTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly string[] AllPlatforms = ["console", "discord", "slack"];

    /// <summary>A 429: not a failure, not an attempt, due again at once.</summary>
    private static readonly WaitMark RateLimited = new("HTTP 429", TimeSpan.Zero, CountsAsAttempt: false, InDoubt: false, Failing: false);

    /// <summary>A 503 that may have reached the platform: a counted, failing attempt.</summary>
    private static WaitMark Failed(TimeSpan delay) => new("HTTP 503", delay, CountsAsAttempt: true, InDoubt: true, Failing: true);

    /// <summary>A database with cases "a" and "b" (detained), "a" watched by each of <paramref name="channels"/>
    /// ("discord/ch000"), then released at Start + 1 h: one pending row per channel, due from then (the SQLite clock is
    /// moved there).</summary>
    private static async Task<(TestDatabase Db, DateTimeOffset CreatedAt, CaseRecord Case)> WithPendingAsync(string provider, params string[] channels)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, original, Make.Case("b", CaseStatus.Detained)), None);
        await WatchAsync(db, "a", channels);
        var changed = original with { Status = CaseStatus.Released, StatusSince = new DateOnly(2026, 11, 25) };
        var createdAt = TestDatabase.Start.AddHours(1);
        await ChangeAsync(db, createdAt, Make.StatusChange(changed, CaseStatus.Detained));
        return (db, createdAt, changed);
    }

    /// <summary><see cref="WithPendingAsync(string, string[])"/> with <paramref name="count"/> Discord channels ch000, ch001, …</summary>
    private static Task<(TestDatabase Db, DateTimeOffset CreatedAt, CaseRecord Case)> WithPendingAsync(string provider, int count) =>
        WithPendingAsync(provider, Enumerable.Range(0, count).Select(i => $"discord/ch{i:D3}").ToArray());

    private static async Task WatchAsync(TestDatabase db, string caseId, params string[] channels)
    {
        foreach (var channel in channels)
        {
            var slash = channel.IndexOf('/', StringComparison.Ordinal);
            await db.Watchlists.AddAsync(new WatchlistEntry(channel[..slash], channel[(slash + 1)..], Make.Source, caseId, "admin", TestDatabase.Start), None);
        }
    }

    /// <summary>Applies status changes observed at <paramref name="at"/> (their rows are due from then) and moves the
    /// SQLite clock there.</summary>
    private static async Task ChangeAsync(TestDatabase db, DateTimeOffset at, params CaseUpsert[] changes)
    {
        db.AdvanceTo(at);
        await db.Cases.ApplyAsync(Make.Plan(at, changes), None);
    }

    private static CaseUpsert Change(string caseId, CaseStatus from, CaseStatus to) => Make.StatusChange(Make.Case(caseId, to), from);

    private static Task<ClaimedBatch> ClaimAsync(TestDatabase db, long term, int max = 10, params string[] platforms) =>
        db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", Lease, max, platforms.Length == 0 ? AllPlatforms : platforms), None);

    /// <summary>"ch000:a:released" for an alert, "admin:report" for a report.</summary>
    private static string[] Keys(ClaimedBatch batch) =>
        batch.Items.Select(i => i.Alert is { } alert ? $"{i.ChannelId}:{alert.Case.Id}:{alert.NewStatus.ToWire()}" : $"{i.ChannelId}:report").ToArray();

    private static string[] Channels(ClaimedBatch batch) => batch.Items.Select(i => $"{i.Platform}/{i.ChannelId}").ToArray();

    private static OutboxItem Item(ClaimedBatch batch, string channelId) => Assert.Single(batch.Items, i => i.ChannelId == channelId);

    private static async Task<OutboxRow> RowAsync(TestDatabase db, string deliveryId) =>
        await db.Outbox.FindAsync(deliveryId, None) ?? throw new InvalidOperationException($"No outbox row {deliveryId}.");

    // ---- Terms and claims ----

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BeginTerm_EachCall_ReturnsTheNextTermAndSurvivesARestart(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        Assert.Equal(1, await db.Outbox.BeginTermAsync(None));
        Assert.Equal(2, await db.Outbox.BeginTermAsync(None));
        await db.ReopenAsync();
        Assert.Equal(3, await db.Outbox.BeginTermAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_PendingRows_OldestFirstAsFirstTries(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 3);
        await using var _db = db;
        // Case "b" changes later, watched by the same channels: its rows come after all of "a"'s.
        await WatchAsync(db, "b", "discord/ch000", "discord/ch001", "discord/ch002");
        var later = createdAt.AddMinutes(5);
        await ChangeAsync(db, later, Change("b", CaseStatus.Detained, CaseStatus.Released));
        var term = await db.Outbox.BeginTermAsync(None);

        var batch = await ClaimAsync(db, term);

        Assert.Equal(
            ["ch000:a:released", "ch001:a:released", "ch002:a:released", "ch000:b:released", "ch001:b:released", "ch002:b:released"],
            Keys(batch));
        Assert.Equal([createdAt, createdAt, createdAt, later, later, later], batch.Items.Select(i => i.CreatedAt));
        Assert.All(batch.Items, i =>
        {
            Assert.Null(i.Report);
            Assert.Equal((i.DeliveryId, "discord", i.ChannelId, 1), (i.Alert!.DeliveryId, i.Alert.Platform, i.Alert.ChannelId, i.Alert.Attempt));
            Assert.Equal((0, false, batch.Now, (DateTimeOffset?)null), (i.Attempts, i.InDoubt, i.FirstTryAt, i.FailingSince));
        });
        if (db.ClockIsFake) Assert.Equal(later, batch.Now);
        else Assert.True(batch.Now > later, $"now() {batch.Now:O} should be after {later:O}");
        var first = batch.Items[0];
        Assert.Equal(new OutboxRow(first.DeliveryId, "discord", "ch000", Make.Source, "a", OutboxState.Sending, 0, null, null, createdAt, null),
            await db.Outbox.FindAsync(first.DeliveryId, None));
        Assert.Equal(new OutboxStats(0, 6, 0, 0, 0, createdAt), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_Max_ClaimsNoMoreThanMaxInOrder(string provider)
    {
        var (db, _, _) = await WithPendingAsync(provider, 5);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);

        var first = await ClaimAsync(db, term, max: 2);
        var rest = await ClaimAsync(db, term, max: 10);
        var none = await ClaimAsync(db, term, max: 10);

        Assert.Equal(["discord/ch000", "discord/ch001"], Channels(first));
        Assert.Equal(["discord/ch002", "discord/ch003", "discord/ch004"], Channels(rest));
        Assert.Empty(none.Items);
        Assert.Empty((await db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", Lease, 0, AllPlatforms), None)).Items);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_Platforms_OnlyRowsOfTheListedPlatforms(string provider)
    {
        var (db, _, _) = await WithPendingAsync(provider, "discord/d1", "slack/s1", "slack/s2");
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);

        var none = await db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", Lease, 10, []), None);
        var slack = await ClaimAsync(db, term, 10, "slack");
        var rest = await ClaimAsync(db, term, 10, "discord", "slack", "console");

        Assert.Empty(none.Items);
        Assert.Equal(["slack/s1", "slack/s2"], Channels(slack).Order(StringComparer.Ordinal));
        Assert.Equal(["discord/d1"], Channels(rest));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_NewerRowOfTheSameChannelAndCase_WaitsWhileTheOlderIsOpen(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 2);
        await using var _db = db;
        await WatchAsync(db, "b", "discord/ch000");
        // "a" changes again in both channels, and "b" in ch000.
        await ChangeAsync(db, createdAt.AddMinutes(5),
            Change("a", CaseStatus.Released, CaseStatus.Deceased), Change("b", CaseStatus.Detained, CaseStatus.Released));
        var term = await db.Outbox.BeginTermAsync(None);

        var first = await ClaimAsync(db, term);
        var whileSending = await ClaimAsync(db, term);

        // The second change of "a" waits in both channels; another case (b) or another channel is not held up.
        Assert.Equal(["ch000:a:released", "ch001:a:released", "ch000:b:released"], Keys(first));
        Assert.Empty(whileSending.Items);

        Assert.True(await db.Outbox.MarkSentAsync(first.Items[0].DeliveryId, term, "msg-1", None));
        var afterSent = await ClaimAsync(db, term);
        Assert.Equal(["ch000:a:deceased"], Keys(afterSent));

        // Back to pending (not due for an hour): the older row still holds the newer one back.
        Assert.True(await db.Outbox.MarkWaitingAsync(first.Items[1].DeliveryId, term, Failed(TimeSpan.FromHours(1)), None));
        Assert.Empty((await ClaimAsync(db, term)).Items);
        Assert.Equal(new OutboxStats(2, 2, 1, 0, 1, createdAt), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_UnderANewTerm_TakesOverAtOnceInDoubtAndFencesTheOldTerm(string provider)
    {
        var (db, _, _) = await WithPendingAsync(provider, 2);
        await using var _db = db;
        var term1 = await db.Outbox.BeginTermAsync(None);
        var first = await ClaimAsync(db, term1);
        Assert.Equal(2, first.Items.Count);
        // Within the term the lease protects the claim.
        Assert.Empty((await ClaimAsync(db, term1)).Items);

        var term2 = await db.Outbox.BeginTermAsync(None);

        // The old leader claims nothing more, and its stale statement changes no row.
        Assert.Empty((await ClaimAsync(db, term1)).Items);
        Assert.Empty((await ClaimAsync(db, term2 + 1)).Items);
        var second = await ClaimAsync(db, term2);
        Assert.Equal(first.Items.Select(i => i.DeliveryId), second.Items.Select(i => i.DeliveryId));
        Assert.All(second.Items, i => Assert.Equal((true, 0, first.Now), (i.InDoubt, i.Attempts, i.FirstTryAt!.Value)));
        Assert.Empty((await ClaimAsync(db, term2)).Items);

        var (sent, dead) = (second.Items[0].DeliveryId, second.Items[1].DeliveryId);
        // The old term's marks are refused now that the new term holds the rows.
        Assert.False(await db.Outbox.MarkSentAsync(sent, term1, "msg-old", None));
        Assert.False(await db.Outbox.MarkWaitingAsync(dead, term1, RateLimited, None));
        Assert.False(await db.Outbox.MarkDeadAsync(dead, term1, "old leader", None));
        Assert.Equal(OutboxState.Sending, (await RowAsync(db, sent)).State);
        Assert.Equal(OutboxState.Sending, (await RowAsync(db, dead)).State);

        Assert.True(await db.Outbox.MarkSentAsync(sent, term2, "msg-1", None));
        Assert.True(await db.Outbox.MarkDeadAsync(dead, term2, "HTTP 403 Missing Access", None));
        // A second mark of the same row finds it no longer claimed (and counts nothing twice).
        Assert.False(await db.Outbox.MarkSentAsync(sent, term2, "msg-2", None));
        Assert.False(await db.Outbox.MarkWaitingAsync(dead, term2, RateLimited, None));

        var row = await RowAsync(db, sent);
        Assert.Equal((OutboxState.Sent, "msg-1"), (row.State, row.ExternalId));
        Assert.True(row.SentAt >= second.Now, $"sent at {row.SentAt:O}, claimed at {second.Now:O}");
        var deadRow = await RowAsync(db, dead);
        Assert.Equal((OutboxState.Dead, "HTTP 403 Missing Access"), (deadRow.State, deadRow.LastError));
        Assert.Equal(new OutboxStats(0, 0, 0, 1, 1, null), await db.Outbox.GetStatsAsync(None));
    }

    [Fact]
    public async Task Claim_LeaseRunsOut_ClaimableAgainInDoubtInTheSameTerm()
    {
        // SQLite only: the lease has to run out, and only SQLite's clock can be moved.
        var (db, createdAt, _) = await WithPendingAsync(StorageOptions.Sqlite, 1);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);
        var first = Assert.Single((await ClaimAsync(db, term)).Items);

        db.Time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty((await ClaimAsync(db, term)).Items);
        db.Time.Advance(TimeSpan.FromSeconds(2));
        var again = Assert.Single((await ClaimAsync(db, term)).Items);

        Assert.Equal((first.DeliveryId, true, 0, createdAt), (again.DeliveryId, again.InDoubt, again.Attempts, again.FirstTryAt!.Value));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_Payload_RoundTripsTheCaseSnapshot(string provider)
    {
        var (db, createdAt, changed) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        // A later change must not alter what the pending alert says.
        await ChangeAsync(db, createdAt.AddMinutes(1), new CaseUpsert(changed with { Name = "Renamed" }, ChangeKind.DetailsChanged, CaseStatus.Released));
        var term = await db.Outbox.BeginTermAsync(None);

        var alert = Assert.Single((await ClaimAsync(db, term)).Items).Alert!;

        Assert.True(alert.Case.SameAs(changed), CaseJson.Serialize(alert.Case));
        Assert.Equal((CaseStatus.Detained, CaseStatus.Released, createdAt), (alert.OldStatus, alert.NewStatus, alert.ObservedAt));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_PreviousStatusSince_ReachesTheAlert(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained) with { StatusSince = new DateOnly(2024, 12, 1) };
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, original), None);
        await WatchAsync(db, "a", "discord/ch");
        // The release alert says since when the person was detained ("Detained since 2024-12-01").
        await ChangeAsync(db, TestDatabase.Start.AddHours(1), new CaseUpsert(original with { Status = CaseStatus.Released }, ChangeKind.StatusChanged,
            CaseStatus.Detained, new DateOnly(2024, 12, 1)));
        var term = await db.Outbox.BeginTermAsync(None);

        var alert = Assert.Single((await ClaimAsync(db, term)).Items).Alert!;

        Assert.Equal(new DateOnly(2024, 12, 1), alert.OldStatusSince);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_ConcurrentClaimers_NeverGetTheSameRow(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 120);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);
        var seen = new ConcurrentBag<string>();

        // Four workers of one term claim small batches at the same time until nothing is left.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            while (true)
            {
                var batch = await db.Outbox.ClaimAsync(new ClaimRequest(term, $"w{w}", TimeSpan.FromHours(1), 7, AllPlatforms), None);
                if (batch.Items.Count == 0) return;
                foreach (var item in batch.Items) seen.Add(item.DeliveryId);
            }
        })));

        Assert.Equal(120, seen.Count);
        Assert.Equal(120, seen.Distinct().Count());
        Assert.Equal(new OutboxStats(0, 120, 0, 0, 0, createdAt), await db.Outbox.GetStatsAsync(None));
    }

    // ---- Marks ----

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MarkWaiting_CountsAsAttempt_OnlyFailuresCountAndTheGiveUpClockKeepsItsStart(string provider)
    {
        var (db, _, _) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);
        var first = await ClaimAsync(db, term);
        var id = Assert.Single(first.Items).DeliveryId;

        // A rate limit: back to pending, no attempt, no error, no give-up clock.
        Assert.True(await db.Outbox.MarkWaitingAsync(id, term, RateLimited, None));
        var row = await RowAsync(db, id);
        Assert.Equal((OutboxState.Pending, 0, (string?)null), (row.State, row.Attempts, row.LastError));
        var second = await ClaimAsync(db, term);
        var waited = Assert.Single(second.Items);
        Assert.Equal((0, 1, false, (DateTimeOffset?)null), (waited.Attempts, waited.Alert!.Attempt, waited.InDoubt, waited.FailingSince));

        // A failure: one attempt, the error, in doubt, and the give-up clock starts.
        Assert.True(await db.Outbox.MarkWaitingAsync(id, term, Failed(TimeSpan.Zero), None));
        row = await RowAsync(db, id);
        Assert.Equal((OutboxState.Pending, 1, "HTTP 503"), (row.State, row.Attempts, row.LastError));
        var third = await ClaimAsync(db, term);
        var failed = Assert.Single(third.Items);
        Assert.Equal((1, 2, true, first.Now), (failed.Attempts, failed.Alert!.Attempt, failed.InDoubt, failed.FirstTryAt!.Value));
        Assert.InRange(failed.FailingSince!.Value, second.Now, third.Now);

        // A second failure, a minute later, counts again but keeps the clock's start.
        db.Time.Advance(TimeSpan.FromMinutes(1)); // SQLite; Postgres's now() moves by itself
        Assert.True(await db.Outbox.MarkWaitingAsync(id, term, Failed(TimeSpan.Zero), None));
        var fourth = Assert.Single((await ClaimAsync(db, term)).Items);
        Assert.Equal((2, failed.FailingSince), (fourth.Attempts, fourth.FailingSince));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MarkWaiting_Delay_NotClaimableUntilItPasses(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);
        var id = Assert.Single((await ClaimAsync(db, term)).Items).DeliveryId;

        Assert.True(await db.Outbox.MarkWaitingAsync(id, term, Failed(TimeSpan.FromHours(1)), None));

        Assert.Empty((await ClaimAsync(db, term)).Items);
        Assert.Equal(new OutboxStats(1, 0, 1, 0, 0, createdAt), await db.Outbox.GetStatsAsync(None));
        if (!db.ClockIsFake) return; // Postgres's clock cannot be moved an hour on.
        db.Time.Advance(TimeSpan.FromMinutes(59));
        Assert.Empty((await ClaimAsync(db, term)).Items);
        db.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(id, Assert.Single((await ClaimAsync(db, term)).Items).DeliveryId);
    }

    // ---- Pauses ----

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Pause_Platform_HidesItsRowsUntilResumed(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, "discord/d1", "slack/s1");
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);

        // A platform pause holds even when its check is due: only the probe may resume it.
        Assert.True(await db.Outbox.PauseAsync("discord", null, "token rejected", TimeSpan.Zero, None));
        Assert.False(await db.Outbox.PauseAsync("discord", null, "token rejected again", TimeSpan.Zero, None));

        var pause = Assert.Single(await db.Outbox.GetPausesAsync(None));
        Assert.Equal(("discord", (string?)null, "token rejected", 0, pause.Since), (pause.Platform, pause.ChannelId, pause.Reason, pause.Checks, pause.NextCheckAt));
        Assert.Equal(new OutboxStats(2, 0, 1, 0, 0, createdAt), await db.Outbox.GetStatsAsync(None));
        Assert.Equal(["slack/s1"], Channels(await ClaimAsync(db, term)));
        Assert.Empty((await ClaimAsync(db, term)).Items);

        Assert.True(await db.Outbox.ResumeAsync("discord", null, None));
        Assert.False(await db.Outbox.ResumeAsync("discord", null, None));

        Assert.Empty(await db.Outbox.GetPausesAsync(None));
        Assert.Equal(["discord/d1"], Channels(await ClaimAsync(db, term)));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Pause_Channel_HidesItsRowsUntilItsNextCheck(string provider)
    {
        var (db, _, _) = await WithPendingAsync(provider, 3);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);

        Assert.True(await db.Outbox.PauseAsync("discord", "ch000", "HTTP 403 Missing Access", TimeSpan.FromHours(1), None));
        Assert.True(await db.Outbox.PauseAsync("discord", "ch001", "HTTP 404 Unknown Channel", TimeSpan.Zero, None));
        Assert.False(await db.Outbox.PauseAsync("discord", "ch000", "HTTP 403 again", TimeSpan.Zero, None));

        // ch000 is checked in an hour; ch001's check is due, so its row goes out (as the check).
        Assert.Equal(["discord/ch001", "discord/ch002"], Channels(await ClaimAsync(db, term)));

        await db.Outbox.DeferPauseAsync("discord", "ch001", "still unknown", TimeSpan.FromHours(1), None);
        var pauses = await db.Outbox.GetPausesAsync(None);
        Assert.Equal(["ch000", "ch001"], pauses.Select(p => p.ChannelId));
        Assert.Equal(("HTTP 403 Missing Access", 0, TimeSpan.FromHours(1)), (pauses[0].Reason, pauses[0].Checks, pauses[0].NextCheckAt - pauses[0].Since));
        Assert.Equal(("still unknown", 1), (pauses[1].Reason, pauses[1].Checks));
        Assert.True(pauses[1].NextCheckAt >= pauses[1].Since + TimeSpan.FromHours(1));

        Assert.True(await db.Outbox.ResumeAsync("discord", "ch000", None));
        Assert.False(await db.Outbox.ResumeAsync("discord", "ch000", None));
        Assert.Equal(["discord/ch000"], Channels(await ClaimAsync(db, term)));
    }

    // ---- Admin reports ----

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EnqueueReport_QueuesOneRowPerTargetOncePerInterval(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var report = new AdminReport("Discord token rejected", ["Deliveries to Discord are paused.", "Fix Discord:Token."]);
        ReportTarget[] targets = [new("discord", "admin"), new("slack", "ops")];

        Assert.True(await db.Outbox.EnqueueReportAsync("discord-down", report, targets, TimeSpan.FromHours(1), None));
        Assert.False(await db.Outbox.EnqueueReportAsync("discord-down", report, targets, TimeSpan.FromHours(1), None));
        Assert.True(await db.Outbox.EnqueueReportAsync("slack-down", new AdminReport("Slack down", []), [new("console", "console")], TimeSpan.FromHours(1), None));
        Assert.False(await db.Outbox.EnqueueReportAsync("no-targets", report, [], TimeSpan.FromHours(1), None));
        Assert.Equal(3, (await db.Outbox.GetStatsAsync(None)).Pending);

        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await ClaimAsync(db, term);

        Assert.Equal(["discord/admin", "slack/ops", "console/console"], Channels(batch));
        Assert.All(batch.Items, i =>
        {
            Assert.Null(i.Alert);
            Assert.Equal((0, false), (i.Attempts, i.InDoubt));
        });
        Assert.All(batch.Items.Take(2), i =>
        {
            Assert.Equal(report.Title, i.Report!.Title);
            Assert.Equal(report.Lines, i.Report.Lines);
        });
        Assert.Equal(("Slack down", 0), (batch.Items[2].Report!.Title, batch.Items[2].Report!.Lines.Count));
        Assert.Matches("^[a-z2-7]{24}$", batch.Items[0].DeliveryId);

        // Sent like an alert, and counted as delivered.
        Assert.True(await db.Outbox.MarkSentAsync(batch.Items[0].DeliveryId, term, "msg-1", None));
        Assert.Equal(1, (await db.Outbox.GetStatsAsync(None)).Delivered);
        // With no interval the same incident is reported again; in slack/ops the new report waits for the one still
        // being sent there (order per channel and incident, as for a case).
        Assert.True(await db.Outbox.EnqueueReportAsync("discord-down", report, targets, TimeSpan.Zero, None));
        Assert.Equal(["discord/admin"], Channels(await ClaimAsync(db, term)));
    }

    // ---- Dead letters ----

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MarkDead_ListedWithTitleAndRetryDeadQueuesThemAgainAsNew(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 3);
        await using var _db = db;
        await db.Outbox.EnqueueReportAsync("incident", new AdminReport("Slack token rejected", ["line"]), [new("discord", "admin")], TimeSpan.FromHours(1), None);
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await ClaimAsync(db, term);
        var (id0, id1, id2, report) = (Item(batch, "ch000").DeliveryId, Item(batch, "ch001").DeliveryId, Item(batch, "ch002").DeliveryId, Item(batch, "admin").DeliveryId);
        // ch000 fails once first, so retrying it has an attempt count and a give-up clock to reset.
        Assert.True(await db.Outbox.MarkWaitingAsync(id0, term, Failed(TimeSpan.Zero), None));
        Assert.Equal(id0, Assert.Single((await ClaimAsync(db, term)).Items).DeliveryId);

        Assert.True(await db.Outbox.MarkDeadAsync(id0, term, "HTTP 403 Missing Access", None));
        Assert.True(await db.Outbox.MarkDeadAsync(id1, term, "HTTP 404 Unknown Channel", None));
        Assert.True(await db.Outbox.MarkDeadAsync(report, term, "HTTP 400", None));

        var dead = await db.Outbox.ListDeadAsync(10, None);
        Assert.Equal([report, id1, id0], dead.Select(d => d.DeliveryId));
        Assert.Equal(new DeadLetter(id0, "discord", "ch000", Make.Source, "a", "Person a: detained → released", "HTTP 403 Missing Access", dead[2].DeadAt, createdAt),
            dead[2]);
        Assert.True(dead[2].DeadAt >= batch.Now);
        Assert.Equal(("discord", "admin", "", "incident", "Slack token rejected", "HTTP 400"),
            (dead[0].Platform, dead[0].ChannelId, dead[0].CaseSource, dead[0].CaseId, dead[0].Title, dead[0].LastError));
        Assert.Equal([report], (await db.Outbox.ListDeadAsync(1, None)).Select(d => d.DeliveryId));
        Assert.Equal(3, (await db.Outbox.GetStatsAsync(None)).Dead);
        Assert.Empty((await ClaimAsync(db, term)).Items);

        // One by id: due at once, as new.
        Assert.Equal(1, await db.Outbox.RetryDeadAsync(id0, None));
        Assert.Equal(0, await db.Outbox.RetryDeadAsync(id0, None));
        Assert.Equal(0, await db.Outbox.RetryDeadAsync(id2, None)); // sending, not dead
        Assert.Equal((OutboxState.Pending, 0), ((await RowAsync(db, id0)).State, (await RowAsync(db, id0)).Attempts));
        var retried = Assert.Single((await ClaimAsync(db, term)).Items);
        Assert.Equal((id0, 0, 1, (DateTimeOffset?)null), (retried.DeliveryId, retried.Attempts, retried.Alert!.Attempt, retried.FailingSince));

        // All the rest.
        Assert.Equal(2, await db.Outbox.RetryDeadAsync(null, None));
        Assert.Empty(await db.Outbox.ListDeadAsync(10, None));
        Assert.Equal([id1, report], (await ClaimAsync(db, term)).Items.Select(i => i.DeliveryId));
        Assert.Equal(new OutboxStats(0, 4, 0, 0, 0, createdAt), await db.Outbox.GetStatsAsync(None));
    }

    // ---- Counts and pruning ----

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task GetStats_EachState_CountedWithTheOldestOpenRow(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 5);
        await using var _db = db;
        Assert.Equal(new OutboxStats(5, 0, 0, 0, 0, createdAt), await db.Outbox.GetStatsAsync(None));
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await ClaimAsync(db, term);

        Assert.True(await db.Outbox.MarkSentAsync(Item(batch, "ch000").DeliveryId, term, "msg-1", None));
        Assert.True(await db.Outbox.MarkDeadAsync(Item(batch, "ch001").DeliveryId, term, "HTTP 403", None));
        Assert.True(await db.Outbox.MarkWaitingAsync(Item(batch, "ch002").DeliveryId, term, Failed(TimeSpan.FromHours(1)), None));
        Assert.True(await db.Outbox.MarkWaitingAsync(Item(batch, "ch003").DeliveryId, term, RateLimited, None));
        // ch004 stays sending.

        // Pending ch002 (not due) and ch003 (due): one waiting.
        Assert.Equal(new OutboxStats(2, 1, 1, 1, 1, createdAt), await db.Outbox.GetStatsAsync(None));
        // A paused channel's rows wait too.
        await db.Outbox.PauseAsync("discord", "ch003", "HTTP 403", TimeSpan.FromHours(1), None);
        Assert.Equal(new OutboxStats(2, 1, 2, 1, 1, createdAt), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task GetBacklog_OpenRows_PerChannelBusiestFirst(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 3);
        await using var _db = db;
        await WatchAsync(db, "b", "discord/ch001");
        await ChangeAsync(db, createdAt.AddMinutes(5), Change("b", CaseStatus.Detained, CaseStatus.Released));
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await ClaimAsync(db, term);
        Assert.True(await db.Outbox.MarkWaitingAsync(Item(batch, "ch000").DeliveryId, term, Failed(TimeSpan.FromHours(1)), None));
        Assert.True(await db.Outbox.MarkSentAsync(Item(batch, "ch002").DeliveryId, term, "msg-1", None));

        var backlog = await db.Outbox.GetBacklogAsync(10, None);

        Assert.Equal(
            [new ChannelBacklog("discord", "ch001", 2, createdAt, null), new ChannelBacklog("discord", "ch000", 1, createdAt, "HTTP 503")],
            backlog);
        Assert.Equal(["ch001"], (await db.Outbox.GetBacklogAsync(1, None)).Select(b => b.ChannelId));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task PruneDelivered_OnlySentRowsOlderThanTheAge_InBatches(string provider)
    {
        var (db, createdAt, _) = await WithPendingAsync(provider, 5);
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await ClaimAsync(db, term);
        var sent = batch.Items.Take(3).Select(i => i.DeliveryId).ToArray();
        foreach (var id in sent) Assert.True(await db.Outbox.MarkSentAsync(id, term, $"msg-{id}", None));
        Assert.True(await db.Outbox.MarkDeadAsync(Item(batch, "ch003").DeliveryId, term, "HTTP 403", None));
        Assert.True(await db.Outbox.MarkWaitingAsync(Item(batch, "ch004").DeliveryId, term, Failed(TimeSpan.FromHours(1)), None));

        // Sent just now: not older than an hour.
        Assert.Equal(0, await db.Outbox.PruneDeliveredAsync(TimeSpan.FromHours(1), 10, None));
        db.Time.Advance(TimeSpan.FromSeconds(1)); // SQLite; Postgres's now() has moved on by itself
        Assert.Equal(2, await db.Outbox.PruneDeliveredAsync(TimeSpan.Zero, 2, None));
        Assert.Equal(1, await db.Outbox.PruneDeliveredAsync(TimeSpan.Zero, 2, None));
        Assert.Equal(0, await db.Outbox.PruneDeliveredAsync(TimeSpan.Zero, 2, None));

        foreach (var id in sent) Assert.Null(await db.Outbox.FindAsync(id, None));
        Assert.Equal(OutboxState.Dead, (await RowAsync(db, Item(batch, "ch003").DeliveryId)).State);
        Assert.Equal(OutboxState.Pending, (await RowAsync(db, Item(batch, "ch004").DeliveryId)).State);
        // The delivered total is a counter: pruning the rows does not lower it.
        Assert.Equal(new OutboxStats(1, 0, 1, 1, 3, createdAt), await db.Outbox.GetStatsAsync(None));
        Assert.Equal(
            [new OutboxPlatformCount("discord", "dead", 1), new OutboxPlatformCount("discord", "pending", 1), new OutboxPlatformCount("discord", "sent", 3)],
            await db.Outbox.CountByPlatformAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task CountByPlatform_EachPlatformAndState_SentFromTheCounter(string provider)
    {
        var (db, _, _) = await WithPendingAsync(provider, "discord/d1", "slack/s1", "slack/s2", "slack/s3");
        await using var _db = db;
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await ClaimAsync(db, term, 10, "discord", "slack");
        Assert.True(await db.Outbox.MarkSentAsync(Item(batch, "d1").DeliveryId, term, "msg-1", None));
        Assert.True(await db.Outbox.MarkSentAsync(Item(batch, "s1").DeliveryId, term, "msg-2", None));
        Assert.True(await db.Outbox.MarkWaitingAsync(Item(batch, "s2").DeliveryId, term, Failed(TimeSpan.FromHours(1)), None));
        // s3 stays sending.

        Assert.Equal(
            [
                new OutboxPlatformCount("discord", "sent", 1),
                new OutboxPlatformCount("slack", "pending", 1),
                new OutboxPlatformCount("slack", "sending", 1),
                new OutboxPlatformCount("slack", "sent", 1),
            ],
            await db.Outbox.CountByPlatformAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Find_UnknownDeliveryId_ReturnsNullAndEmptyStatsAreZero(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        Assert.Null(await db.Outbox.FindAsync("aaaaaaaaaaaaaaaaaaaaaaaa", None));
        Assert.Equal(new OutboxStats(0, 0, 0, 0, 0, null), await db.Outbox.GetStatsAsync(None));
        Assert.Empty(await db.Outbox.CountByPlatformAsync(None));
        Assert.Empty(await db.Outbox.GetBacklogAsync(10, None));
        Assert.Empty(await db.Outbox.ListDeadAsync(10, None));
        Assert.Equal(0, await db.Outbox.RetryDeadAsync(null, None));
        Assert.Equal(0, await db.Outbox.PruneDeliveredAsync(TimeSpan.Zero, 100, None));
    }
}
