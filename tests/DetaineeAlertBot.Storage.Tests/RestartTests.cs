using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>A restart: every connection closed, the same database opened again by a new process.</summary>
public sealed class RestartTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Reopen_AfterWrites_KeepsCasesWatchlistsHistoryAndOutbox(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var start = TestDatabase.Start;
        await db.Cases.ApplyAsync(Make.Baseline(start, Make.Case("a", CaseStatus.Detained)), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, "a", "alice", start), None);
        await db.Cases.ApplyAsync(Make.Plan(start.AddHours(1), Make.StatusChange(Make.Case("a", CaseStatus.Released), CaseStatus.Detained)), None);
        db.AdvanceTo(start.AddHours(1));
        var term = await db.Outbox.BeginTermAsync(None);
        var claimed = Assert.Single((await db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", TimeSpan.FromMinutes(1), 10, ["discord"]), None)).Items);

        await db.ReopenAsync();
        await db.Cases.MigrateAsync(None);

        var snapshot = await db.Cases.LoadAsync(None);
        Assert.Equal(CaseStatus.Released, Assert.Single(snapshot.Cases).Case.Status);
        Assert.Equal(new SourceState(Make.Source, start, start.AddHours(1)), Assert.Single(snapshot.Sources));
        Assert.Single(await db.Watchlists.ListAsync("discord", "c1", None));
        Assert.Equal(2, (await db.Cases.GetHistoryAsync(new CaseKey(Make.Source, "a"), 10, None)).Count);
        // The crashed sender's row is still there, mid-send; the restarted dispatcher's new term takes it over at once
        // (its lease has not run out), in doubt: the crashed send may have arrived. A crash is no failed attempt.
        Assert.Equal(OutboxState.Sending, (await db.Outbox.FindAsync(claimed.DeliveryId, None))!.State);
        var newTerm = await db.Outbox.BeginTermAsync(None);
        Assert.Equal(term + 1, newTerm);
        var again = Assert.Single((await db.Outbox.ClaimAsync(new ClaimRequest(newTerm, "w2", TimeSpan.FromMinutes(1), 10, ["discord"]), None)).Items);
        Assert.Equal((claimed.DeliveryId, true, 0, 1), (again.DeliveryId, again.InDoubt, again.Attempts, again.Alert!.Attempt));
        Assert.False(await db.Outbox.MarkSentAsync(claimed.DeliveryId, term, "msg-crashed", None));
        Assert.True(await db.Outbox.MarkSentAsync(claimed.DeliveryId, newTerm, "msg-1", None));
    }
}
