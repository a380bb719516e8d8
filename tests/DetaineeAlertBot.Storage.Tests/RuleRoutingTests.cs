using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>Rule entries routed inside the sync's transaction, on SQLite and PostgreSQL.</summary>
public sealed class RuleRoutingTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    private static WatchRule Rule(string channel, string? country = null, string? nationality = null, params CaseStatus[] statuses) =>
        new(0, "slack", channel, country, nationality, null, null, statuses, "admin", At);

    private static CaseRecord Case(string id, CaseStatus status, string country, string? nationality = null) =>
        Make.Case(id, status) with { Country = country, Nationality = nationality };

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ARule_PicksUpANewCaseAndAStatusChange_NotANonMatchingCase_AndAChannelHearsEachChangeOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var rules = new RuleStore(db.Database);
        await db.Cases.ApplyAsync(Make.Baseline(At, Case("ir-1", CaseStatus.Detained, "Iran"), Case("af-1", CaseStatus.Detained, "Afghanistan")), None);
        var (byName, added) = await rules.AddAsync(Rule("C1", country: "Iran"), None);
        var (same, again) = await rules.AddAsync(Rule("C1", country: "Iran"), None);
        await rules.AddAsync(Rule("C1", country: "IR", statuses: [CaseStatus.Detained, CaseStatus.Released]), None); // a second entry of C1 matching too
        await rules.AddAsync(Rule("C2", nationality: "us"), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "ir-1", "admin", At), None); // and a direct one
        db.AdvanceTo(At.AddHours(1));

        var result = await db.Cases.ApplyAsync(new SyncPlan(Make.Source, At.AddHours(1), false,
        [
            new CaseUpsert(Case("ir-1", CaseStatus.Released, "Iran"), ChangeKind.StatusChanged, CaseStatus.Detained),
            new CaseUpsert(Case("af-1", CaseStatus.Charged, "Afghanistan"), ChangeKind.StatusChanged, CaseStatus.Detained),
            new CaseUpsert(Case("ir-2", CaseStatus.Detained, "Islamic Republic of Iran", "US"), ChangeKind.FirstSeen, null),
            new CaseUpsert(Case("eg-1", CaseStatus.Detained, "Egypt"), ChangeKind.FirstSeen, null),
        ], [], []), None);

        Assert.True(added);
        Assert.False(again);
        Assert.Equal(byName.Id, same.Id);
        // ir-1's change: once to C1 (three entries match); ir-2 is new: C1 by country, C2 by nationality; af-1, eg-1: nobody.
        Assert.Equal(3, result.AlertsQueued);
        Assert.Equal(1, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox WHERE case_id = 'ir-1' AND channel_id = 'C1'"));
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox WHERE case_id = 'ir-2'"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox WHERE case_id IN ('af-1', 'eg-1')"));
        Assert.Contains("\"newCase\":true", await db.TextAsync("SELECT payload_json FROM alert_outbox WHERE case_id = 'ir-2' AND channel_id = 'C2'"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ACaseLeavingTheRulesStatusList_GetsThatLastAlert_ThenNothingMore(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var rules = new RuleStore(db.Database);
        await db.Cases.ApplyAsync(Make.Baseline(At, Case("ir-1", CaseStatus.Detained, "Iran")), None);
        await rules.AddAsync(Rule("C1", country: "Iran", statuses: [CaseStatus.Detained, CaseStatus.Charged]), None);
        db.AdvanceTo(At.AddHours(1));

        var left = await db.Cases.ApplyAsync(Make.Plan(At.AddHours(1), Make.StatusChange(Case("ir-1", CaseStatus.Released, "Iran"), CaseStatus.Detained)), None);
        db.AdvanceTo(At.AddHours(2));
        var after = await db.Cases.ApplyAsync(Make.Plan(At.AddHours(2), Make.StatusChange(Case("ir-1", CaseStatus.Deceased, "Iran"), CaseStatus.Released)), None);

        Assert.Equal(1, left.AlertsQueued);
        Assert.Equal(0, after.AlertsQueued);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task RemovedAndSeededRules_AnAdminsRemovalOutlivesTheConfiguration(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var rules = new RuleStore(db.Database);
        var configured = Rule("C1", country: "Iran") with { AddedBy = "config" };

        Assert.Equal(1, await rules.SeedAsync([configured], None));
        var stored = Assert.Single(await rules.ListAsync("slack", "C1", None));
        Assert.False(await rules.RemoveAsync("slack", "C2", stored.Id, "bob", At, None)); // another channel's id changes nothing
        Assert.True(await rules.RemoveAsync("slack", "C1", stored.Id, "bob", At, None));
        Assert.Equal(0, await rules.SeedAsync([configured], None));
        Assert.Empty(await rules.ListAsync("slack", "C1", None));
    }
}
