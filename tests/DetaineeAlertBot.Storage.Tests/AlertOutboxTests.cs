using System.Collections.Concurrent;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

public sealed class AlertOutboxTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>A database with <paramref name="channels"/> channels watching case "a", whose status then changes:
    /// one pending outbox row per channel, created at Start + 1 h.</summary>
    private static async Task<(TestDatabase Db, DateTimeOffset CreatedAt, CaseRecord Case)> WithPendingAsync(string provider, int channels)
    {
        var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, original), None);
        for (var i = 0; i < channels; i++)
            await db.Watchlists.AddAsync(new WatchlistEntry("discord", $"ch{i:D3}", Make.Source, "a", "admin", TestDatabase.Start), None);
        var changed = original with { Status = CaseStatus.Released, StatusSince = new DateOnly(2026, 11, 25) };
        var createdAt = TestDatabase.Start.AddHours(1);
        await db.Cases.ApplyAsync(Make.Plan(createdAt, Make.StatusChange(changed, CaseStatus.Detained)), None);
        return (db, createdAt, changed);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ClaimDue_PendingRows_LeasesOldestFirstWithFirstAttempt(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 3);
        await using var _db = db;
        // A second change later: its rows must come after the first change's rows.
        await db.Cases.ApplyAsync(Make.Plan(now.AddMinutes(5), Make.StatusChange(Make.Case("a", CaseStatus.Deceased), CaseStatus.Released)), None);

        var claimed = await db.Outbox.ClaimDueAsync("w1", now.AddMinutes(5), Lease, 10, None);

        Assert.Equal(
            [CaseStatus.Released, CaseStatus.Released, CaseStatus.Released, CaseStatus.Deceased, CaseStatus.Deceased, CaseStatus.Deceased],
            claimed.Select(m => m.NewStatus));
        Assert.Equal(["ch000", "ch001", "ch002", "ch000", "ch001", "ch002"], claimed.Select(m => m.ChannelId));
        Assert.All(claimed, m => Assert.Equal(1, m.Attempt));
        var row = await db.Outbox.FindAsync(claimed[0].DeliveryId, None);
        Assert.Equal(new OutboxRow(claimed[0].DeliveryId, "discord", "ch000", Make.Source, "a", OutboxState.Sending, 1, null, null, now, null), row);
        Assert.Equal(new OutboxStats(0, 6, 0, 0), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ClaimDue_Max_ClaimsNoMoreThanMax(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 5);
        await using var _db = db;

        var first = await db.Outbox.ClaimDueAsync("w1", now, Lease, 2, None);
        var rest = await db.Outbox.ClaimDueAsync("w2", now, Lease, 10, None);

        Assert.Equal(["ch000", "ch001"], first.Select(m => m.ChannelId));
        Assert.Equal(["ch002", "ch003", "ch004"], rest.Select(m => m.ChannelId));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ClaimDue_LeaseHeld_NotClaimedUntilItExpires(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        var first = Assert.Single(await db.Outbox.ClaimDueAsync("crashed", now, Lease, 10, None));

        var whileLeased = await db.Outbox.ClaimDueAsync("w2", now + Lease - TimeSpan.FromSeconds(1), Lease, 10, None);
        // The owner crashed without marking anything: once the lease is over, another worker takes the row over.
        var afterExpiry = await db.Outbox.ClaimDueAsync("w2", now + Lease + TimeSpan.FromSeconds(1), Lease, 10, None);

        Assert.Empty(whileLeased);
        var reclaimed = Assert.Single(afterExpiry);
        Assert.Equal((first.DeliveryId, 2), (reclaimed.DeliveryId, reclaimed.Attempt));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MarkSent_ClaimedRow_NeverClaimedAgainAndRepeatIsNoOp(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        var message = Assert.Single(await db.Outbox.ClaimDueAsync("w1", now, Lease, 10, None));

        await db.Outbox.MarkSentAsync(message.DeliveryId, "msg-1", now.AddSeconds(1), None);
        await db.Outbox.MarkSentAsync(message.DeliveryId, "msg-2", now.AddSeconds(9), None);

        Assert.Empty(await db.Outbox.ClaimDueAsync("w2", now.AddDays(1), Lease, 10, None));
        var row = await db.Outbox.FindAsync(message.DeliveryId, None);
        Assert.Equal((OutboxState.Sent, "msg-1", now.AddSeconds(1), 1), (row!.State, row.ExternalId, row.SentAt, row.Attempts));
        Assert.Equal(new OutboxStats(0, 0, 1, 0), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MarkRetry_ClaimedRow_DueAgainOnlyAtNextAttempt(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        var message = Assert.Single(await db.Outbox.ClaimDueAsync("w1", now, Lease, 10, None));
        var retryAt = now.AddMinutes(10);

        await db.Outbox.MarkRetryAsync(message.DeliveryId, "HTTP 503", retryAt, None);

        Assert.Empty(await db.Outbox.ClaimDueAsync("w1", retryAt.AddSeconds(-1), Lease, 10, None));
        var again = Assert.Single(await db.Outbox.ClaimDueAsync("w1", retryAt, Lease, 10, None));
        Assert.Equal(2, again.Attempt);
        var row = await db.Outbox.FindAsync(message.DeliveryId, None);
        Assert.Equal((OutboxState.Sending, "HTTP 503"), (row!.State, row.LastError));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MarkDead_ClaimedRow_NeverClaimedAgain(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 2);
        await using var _db = db;
        var claimed = await db.Outbox.ClaimDueAsync("w1", now, Lease, 10, None);

        await db.Outbox.MarkDeadAsync(claimed[0].DeliveryId, "HTTP 403 Missing Access", now.AddSeconds(1), None);
        await db.Outbox.MarkRetryAsync(claimed[1].DeliveryId, "timeout", now, None);

        var later = await db.Outbox.ClaimDueAsync("w1", now.AddDays(1), Lease, 10, None);
        Assert.Equal(claimed[1].DeliveryId, Assert.Single(later).DeliveryId);
        var dead = await db.Outbox.FindAsync(claimed[0].DeliveryId, None);
        Assert.Equal((OutboxState.Dead, "HTTP 403 Missing Access"), (dead!.State, dead.LastError));
        Assert.Equal(new OutboxStats(0, 1, 0, 1), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ReleaseAllLeases_SendingRows_BecomePendingAndDueNow(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 3);
        await using var _db = db;
        var claimed = await db.Outbox.ClaimDueAsync("w1", now, Lease, 2, None);

        var released = await db.Outbox.ReleaseAllLeasesAsync(None);

        Assert.Equal(2, released);
        Assert.Equal(new OutboxStats(3, 0, 0, 0), await db.Outbox.GetStatsAsync(None));
        var again = await db.Outbox.ClaimDueAsync("w2", now, Lease, 10, None);
        Assert.Equal([2, 2, 1], again.Select(m => m.Attempt));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ClaimDue_Payload_RoundTripsTheCaseSnapshot(string provider)
    {
        var (db, now, changed) = await WithPendingAsync(provider, 1);
        await using var _db = db;
        // A later change must not alter what the pending alert says.
        await db.Cases.ApplyAsync(Make.Plan(now.AddMinutes(1),
            new CaseUpsert(changed with { Name = "Renamed" }, Core.Changes.ChangeKind.DetailsChanged, CaseStatus.Released)), None);

        var message = (await db.Outbox.ClaimDueAsync("w1", now, Lease, 10, None)).Single();

        Assert.True(message.Case.SameAs(changed), CaseJson.Serialize(message.Case));
        Assert.Equal((CaseStatus.Detained, CaseStatus.Released, now), (message.OldStatus, message.NewStatus, message.ObservedAt));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ClaimDue_PreviousStatusSince_ReachesTheAlert(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained) with { StatusSince = new DateOnly(2024, 12, 1) };
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, original), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "ch", Make.Source, "a", "admin", TestDatabase.Start), None);
        var at = TestDatabase.Start.AddHours(1);
        // The release alert says since when the person was detained ("Detained since 2024-12-01").
        await db.Cases.ApplyAsync(Make.Plan(at, new CaseUpsert(original with { Status = CaseStatus.Released }, Core.Changes.ChangeKind.StatusChanged,
            CaseStatus.Detained, new DateOnly(2024, 12, 1))), None);

        var message = (await db.Outbox.ClaimDueAsync("w1", at, Lease, 10, None)).Single();

        Assert.Equal(new DateOnly(2024, 12, 1), message.OldStatusSince);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ClaimDue_ConcurrentClaimers_NeverGetTheSameRow(string provider)
    {
        var (db, now, _) = await WithPendingAsync(provider, 120);
        await using var _db = db;
        var seen = new ConcurrentBag<string>();

        // Four workers claim small batches at the same time until nothing is left; leases never expire here.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            while (true)
            {
                var batch = await db.Outbox.ClaimDueAsync($"w{w}", now, TimeSpan.FromHours(1), 7, None);
                if (batch.Count == 0) return;
                foreach (var m in batch) seen.Add(m.DeliveryId);
            }
        })));

        Assert.Equal(120, seen.Count);
        Assert.Equal(120, seen.Distinct().Count());
        Assert.Equal(new OutboxStats(0, 120, 0, 0), await db.Outbox.GetStatsAsync(None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Find_UnknownDeliveryId_ReturnsNull(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        Assert.Null(await db.Outbox.FindAsync("aaaaaaaaaaaaaaaaaaaaaaaa", None));
        Assert.Equal(new OutboxStats(0, 0, 0, 0), await db.Outbox.GetStatsAsync(None));
    }
}
