using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

public sealed class WatchlistStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Add_SameEntryTwice_SecondIsAlreadyWatched(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var entry = new WatchlistEntry("discord", "c1", Make.Source, "a", "alice", At);

        var first = await db.Watchlists.AddAsync(entry, None);
        var second = await db.Watchlists.AddAsync(entry with { AddedBy = "bob", AddedAt = At.AddMinutes(1) }, None);

        Assert.Equal((WatchAddResult.Added, WatchAddResult.AlreadyWatched), (first, second));
        Assert.Equal([entry], await db.Watchlists.ListAsync("discord", "c1", None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Remove_ActiveEntry_SoftDeletesAndAllowsAddingAgain(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var entry = new WatchlistEntry("slack", "C01", Make.Source, "a", "alice", At);
        await db.Watchlists.AddAsync(entry, None);

        var removed = await db.Watchlists.RemoveAsync("slack", "C01", new CaseKey(Make.Source, "a"), "bob", At.AddHours(1), None);
        var removedAgain = await db.Watchlists.RemoveAsync("slack", "C01", new CaseKey(Make.Source, "a"), "bob", At.AddHours(2), None);
        var listAfterRemove = await db.Watchlists.ListAsync("slack", "C01", None);
        var readded = await db.Watchlists.AddAsync(entry with { AddedAt = At.AddHours(3) }, None);

        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.Empty(listAfterRemove);
        Assert.Equal(WatchAddResult.Added, readded);
        // The removed row stays for the audit trail, stamped with who removed it.
        Assert.Equal(1, await db.CountAsync("SELECT COUNT(*) FROM watchlist WHERE removed_by = 'bob' AND removed_at IS NOT NULL"));
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM watchlist"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task List_SeveralChannels_ActiveEntriesOfOneChannelOldestFirst(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var newest = new WatchlistEntry("discord", "c1", Make.Source, "c", "alice", At.AddMinutes(2));
        var oldest = new WatchlistEntry("discord", "c1", WatchlistEntry.AnySource, "a", "alice", At);
        var middle = new WatchlistEntry("discord", "c1", Make.Source, "b", "alice", At.AddMinutes(1));
        foreach (var entry in new[] { newest, oldest, middle }) await db.Watchlists.AddAsync(entry, None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c2", Make.Source, "a", "alice", At), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "c1", Make.Source, "a", "alice", At), None);
        await db.Watchlists.RemoveAsync("discord", "c1", new CaseKey(Make.Source, "b"), "bob", At.AddMinutes(3), None);

        var list = await db.Watchlists.ListAsync("discord", "c1", None);

        Assert.Equal([oldest, newest], list);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Seed_RemovedOrExistingEntries_InsertsOnlyNeverStoredOnes(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var removed = new WatchlistEntry("console", "console", WatchlistEntry.AnySource, "a", "config", At);
        var active = new WatchlistEntry("console", "console", WatchlistEntry.AnySource, "b", "config", At);
        var fresh = new WatchlistEntry("console", "console", WatchlistEntry.AnySource, "c", "config", At);
        Assert.Equal(2, await db.Watchlists.SeedAsync([removed, active], None));
        await db.Watchlists.RemoveAsync("console", "console", new CaseKey(WatchlistEntry.AnySource, "a"), "admin", At.AddHours(1), None);

        // The next start seeds the same configuration plus one new entry: the admin's removal must survive.
        var inserted = await db.Watchlists.SeedAsync([removed, active, fresh], None);

        Assert.Equal(1, inserted);
        Assert.Equal([active, fresh], await db.Watchlists.ListAsync("console", "console", None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task BindAnySource_LegacyRows_BecomeRowsOfTheOneSourceKeepingRemovalsAndOneActiveRowPerCase(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        // Rows written by a version that stored bare ids as '*': one active, one removed by an admin, one whose
        // concrete twin was added later (both active).
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", WatchlistEntry.AnySource, "a", "alice", At), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", WatchlistEntry.AnySource, "b", "alice", At), None);
        await db.Watchlists.RemoveAsync("discord", "c1", new CaseKey(WatchlistEntry.AnySource, "b"), "bob", At.AddMinutes(1), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", WatchlistEntry.AnySource, "c", "alice", At), None);
        var twin = new WatchlistEntry("discord", "c1", Make.Source, "c", "carol", At.AddMinutes(2));
        await db.Watchlists.AddAsync(twin, None);
        Assert.Equal(2, await db.Watchlists.CountAnySourceAsync(None));

        var bound = await db.Watchlists.BindAnySourceAsync(Make.Source, At.AddHours(1), None);

        Assert.Equal(3, bound);
        Assert.Equal(0, await db.Watchlists.CountAnySourceAsync(None));
        Assert.Equal(
            [new WatchlistEntry("discord", "c1", Make.Source, "a", "alice", At), twin],
            await db.Watchlists.ListAsync("discord", "c1", None));
        // The admin's removal survives: seeding the same case again does not bring it back.
        Assert.Equal(0, await db.Watchlists.SeedAsync([new WatchlistEntry("discord", "c1", Make.Source, "b", "config", At)], None));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM watchlist WHERE case_source = '*'"));
    }
}
