using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

public sealed class CaseStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_Baseline_WritesCasesAndHistoryButNoOutbox(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        // A channel already watches a case: a baseline must still alert nobody.
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, "a", "admin", TestDatabase.Start), None);
        var a = Make.Case("a", CaseStatus.Detained);
        var b = Make.Case("b", CaseStatus.Charged) with { Aliases = [], StatusSince = null, Country = null, UpdatedAt = null };

        var result = await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, a, b), None);

        Assert.Equal(new ApplyResult(2, 0, 0, 0), result);
        var snapshot = await db.Cases.LoadAsync(None);
        Assert.Equal(2, snapshot.Cases.Count);
        Assert.True(snapshot.Cases[0].Case.SameAs(a));
        Assert.True(snapshot.Cases[1].Case.SameAs(b));
        Assert.All(snapshot.Cases, c => Assert.Equal(TestDatabase.Start, c.FirstSeenAt));
        Assert.All(snapshot.Cases, c => Assert.Null(c.NotSeenSince));
        Assert.Equal(new SourceState(Make.Source, TestDatabase.Start, TestDatabase.Start), Assert.Single(snapshot.Sources));
        var history = Assert.Single(await db.Cases.GetHistoryAsync(a.Key, 10, None));
        Assert.Equal(new StatusHistoryEntry(a.Key, null, CaseStatus.Detained, a.StatusSince, TestDatabase.Start, Make.Source), history);
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_StatusChange_QueuesOneAlertPerWatchingChannel(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var at = TestDatabase.Start;
        await db.Cases.ApplyAsync(Make.Baseline(at, Make.Case("a", CaseStatus.Detained), Make.Case("b", CaseStatus.Detained)), None);
        WatchlistEntry[] entries =
        [
            new("discord", "exact", Make.Source, "a", "admin", at),      // exact source: alerted
            new("slack", "wildcard", WatchlistEntry.AnySource, "a", "admin", at), // legacy any-source row: never alerted
            new("discord", "both", Make.Source, "a", "admin", at),       // exact and legacy wildcard in one channel: one alert
            new("discord", "both", WatchlistEntry.AnySource, "a", "admin", at),
            new("discord", "removed", Make.Source, "a", "admin", at),    // removed below: not alerted
            new("discord", "other-source", "elsewhere", "a", "admin", at), // same id, other source: not alerted
            new("discord", "other-case", Make.Source, "b", "admin", at), // other case: not alerted
        ];
        foreach (var entry in entries) await db.Watchlists.AddAsync(entry, None);
        await db.Watchlists.RemoveAsync("discord", "removed", new CaseKey(Make.Source, "a"), "admin", at, None);
        var later = at.AddHours(1);
        var released = Make.Case("a", CaseStatus.Released);

        var result = await db.Cases.ApplyAsync(Make.Plan(later, Make.StatusChange(released, CaseStatus.Detained)), None);

        Assert.Equal(new ApplyResult(1, 1, 2, 0), result);
        var history = await db.Cases.GetHistoryAsync(released.Key, 10, None);
        Assert.Equal(new StatusHistoryEntry(released.Key, CaseStatus.Detained, CaseStatus.Released, released.StatusSince, later, Make.Source), history[0]);
        db.AdvanceTo(later); // the rows are due from the change's time (SQLite's clock; Postgres's now() is later)
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await db.Outbox.ClaimAsync(new ClaimRequest(term, "worker", TimeSpan.FromMinutes(1), 10, ["discord", "slack"]), None);
        var claimed = batch.Items.Select(i => i.Alert!).ToArray();
        Assert.Equal(
            ["discord/both", "discord/exact"],
            claimed.Select(m => $"{m.Platform}/{m.ChannelId}").Order(StringComparer.Ordinal));
        Assert.All(claimed, m =>
        {
            Assert.Equal((CaseStatus.Detained, CaseStatus.Released, later), (m.OldStatus, m.NewStatus, m.ObservedAt));
            Assert.Matches("^[a-z2-7]{24}$", m.DeliveryId);
        });
        Assert.Equal(2, claimed.Select(m => m.DeliveryId).Distinct().Count());
        Assert.Equal(CaseStatus.Released, (await db.Cases.LoadAsync(None)).Cases.Single(c => c.Case.Id == "a").Case.Status);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_PreviousStatusMismatch_CountsConflictAndSkipsCase(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Charged), Make.Case("b", CaseStatus.Detained)), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", WatchlistEntry.AnySource, "a", "admin", TestDatabase.Start), None);
        var later = TestDatabase.Start.AddHours(1);

        // The plan believes "a" is detained, but the store says charged (another writer got there first); "b" is fine.
        var result = await db.Cases.ApplyAsync(Make.Plan(later,
            Make.StatusChange(Make.Case("a", CaseStatus.Released, name: "Renamed"), CaseStatus.Detained),
            Make.StatusChange(Make.Case("b", CaseStatus.Released), CaseStatus.Detained),
            Make.StatusChange(Make.Case("ghost", CaseStatus.Released), CaseStatus.Detained)), None);

        Assert.Equal(new ApplyResult(1, 1, 0, 2), result);
        var a = (await db.Cases.LoadAsync(None)).Cases.Single(c => c.Case.Id == "a").Case;
        Assert.Equal((CaseStatus.Charged, "Person a"), (a.Status, a.Name));
        Assert.Single(await db.Cases.GetHistoryAsync(a.Key, 10, None));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM cases WHERE id = 'ghost'"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_DetailsChanged_UpdatesFieldsSilently(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, original), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, "a", "admin", TestDatabase.Start), None);
        var later = TestDatabase.Start.AddHours(1);
        var edited = original with { Location = "Kandahar", Aliases = ["Ünïcode Ålias", "Alias a"], StatusSince = new DateOnly(2024, 12, 2) };

        var result = await db.Cases.ApplyAsync(Make.Plan(later, new CaseUpsert(edited, ChangeKind.DetailsChanged, CaseStatus.Detained)), None);

        Assert.Equal(new ApplyResult(1, 0, 0, 0), result);
        var stored = Assert.Single((await db.Cases.LoadAsync(None)).Cases);
        Assert.True(stored.Case.SameAs(edited));
        Assert.Equal(TestDatabase.Start, stored.FirstSeenAt);
        Assert.Single(await db.Cases.GetHistoryAsync(edited.Key, 10, None));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_DetailsChangedWithStaleStatus_KeepsStoredStatus(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Released)), None);

        // A writer that still thinks "a" is detained edits its details: the status another writer set must stay.
        await db.Cases.ApplyAsync(Make.Plan(TestDatabase.Start.AddHours(1),
            new CaseUpsert(Make.Case("a", CaseStatus.Detained) with { Location = "Kandahar" }, ChangeKind.DetailsChanged, CaseStatus.Detained)), None);

        var stored = Assert.Single((await db.Cases.LoadAsync(None)).Cases).Case;
        Assert.Equal((CaseStatus.Released, "Kandahar"), (stored.Status, stored.Location));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_NotSeenThenSeenAgain_SetsKeepsAndClearsNotSeenSince(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained), Make.Case("b", CaseStatus.Detained)), None);
        var first = TestDatabase.Start.AddHours(1);
        var second = TestDatabase.Start.AddHours(2);
        var third = TestDatabase.Start.AddHours(3);
        var a = new CaseKey(Make.Source, "a");

        await db.Cases.ApplyAsync(new SyncPlan(Make.Source, first, false, [], [a], []), None);
        await db.Cases.ApplyAsync(new SyncPlan(Make.Source, second, false, [], [a], []), None);
        var missing = await db.Cases.LoadAsync(None);
        await db.Cases.ApplyAsync(new SyncPlan(Make.Source, third, false, [], [], [a]), None);
        var back = await db.Cases.LoadAsync(None);

        // Absence never touches the status, and the second NotSeen keeps the first time it went missing.
        Assert.Equal((first, CaseStatus.Detained), (missing.Cases[0].NotSeenSince, missing.Cases[0].Case.Status));
        Assert.Null(missing.Cases[1].NotSeenSince);
        Assert.Null(back.Cases[0].NotSeenSince);
        Assert.Equal(new SourceState(Make.Source, TestDatabase.Start, third), Assert.Single(back.Sources));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task GetHistory_SeveralChanges_NewestFirstUpToLimit(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained)), None);
        CaseStatus[] path = [CaseStatus.Charged, CaseStatus.OnTrial, CaseStatus.Convicted];
        var previous = CaseStatus.Detained;
        for (var i = 0; i < path.Length; i++)
        {
            await db.Cases.ApplyAsync(Make.Plan(TestDatabase.Start.AddDays(i + 1), Make.StatusChange(Make.Case("a", path[i]), previous)), None);
            previous = path[i];
        }

        var all = await db.Cases.GetHistoryAsync(new CaseKey(Make.Source, "a"), 10, None);
        var two = await db.Cases.GetHistoryAsync(new CaseKey(Make.Source, "a"), 2, None);

        Assert.Equal([CaseStatus.Convicted, CaseStatus.OnTrial, CaseStatus.Charged, CaseStatus.Detained], all.Select(h => h.NewStatus));
        Assert.Equal([CaseStatus.OnTrial, CaseStatus.Charged, CaseStatus.Detained, null], all.Select(h => h.OldStatus));
        Assert.Equal(all.Take(2), two);
        Assert.Empty(await db.Cases.GetHistoryAsync(new CaseKey("elsewhere", "a"), 10, None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_ManyCasesAcrossBatchBoundaries_WritesEveryRow(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        // Small chunks, so every bulk insert spans several statements, with a partial one at the end.
        db.Database.Dialect.RowsPerStatement = 400;
        var cases = Enumerable.Range(0, 2_500).Select(i => Make.Case($"c{i:D5}", CaseStatus.Detained)).ToArray();
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, cases), None);
        foreach (var i in new[] { 0, 1_234, 2_499 })
            await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, cases[i].Id, "admin", TestDatabase.Start), None);
        var changes = cases.Take(1_500).Select(c => Make.StatusChange(c with { Status = CaseStatus.Released }, CaseStatus.Detained))
            .Append(Make.StatusChange(cases[2_499] with { Status = CaseStatus.Released }, CaseStatus.Detained))
            .ToArray();

        var result = await db.Cases.ApplyAsync(Make.Plan(TestDatabase.Start.AddHours(1), changes), None);

        Assert.Equal(new ApplyResult(1_501, 1_501, 3, 0), result);
        Assert.Equal(2_500 + 1_501, await db.CountAsync("SELECT COUNT(*) FROM status_history"));
        Assert.Equal(1_501, await db.CountAsync("SELECT COUNT(*) FROM cases WHERE status = 'released'"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_CaseOfAnotherSource_ThrowsAndWritesNothing(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var plan = new SyncPlan(Make.Source, TestDatabase.Start, true, [new CaseUpsert(Make.Case("a", CaseStatus.Detained, source: "other"), ChangeKind.FirstSeen, null)], [], []);

        await Assert.ThrowsAsync<ArgumentException>(() => db.Cases.ApplyAsync(plan, None));

        Assert.Empty((await db.Cases.LoadAsync(None)).Sources);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Apply_SameStatusChangeFromTwoWriters_OneAppliesOneConflicts(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained)), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, "a", "admin", TestDatabase.Start), None);
        // Two instances (own pools) saw the same document: only one may store the change and queue its alert.
        await using var other = StorageDatabase.Create(db.Options);
        var plan = Make.Plan(TestDatabase.Start.AddHours(1), Make.StatusChange(Make.Case("a", CaseStatus.Released), CaseStatus.Detained));

        var results = await Task.WhenAll(
            Task.Run(() => db.Cases.ApplyAsync(plan, None)),
            Task.Run(() => new CaseStore(other).ApplyAsync(plan, None)));

        Assert.Equal((1, 1, 1), (results.Sum(r => r.StatusChanges), results.Sum(r => r.Conflicts), results.Sum(r => r.AlertsQueued)));
        Assert.Equal(1, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox"));
        Assert.Equal(2, (await db.Cases.GetHistoryAsync(new CaseKey(Make.Source, "a"), 10, None)).Count);
    }
}
