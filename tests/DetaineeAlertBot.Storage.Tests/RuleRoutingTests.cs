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

    public static TheoryData<string, int> ProvidersAndChunks()
    {
        var data = new TheoryData<string, int>();
        foreach (var provider in new[] { StorageOptions.Sqlite, StorageOptions.Postgres })
        {
            if (provider == StorageOptions.Postgres && Providers.PostgresConnectionString is null) continue;
            foreach (var chunk in new[] { 1, 3, 4096 }) data.Add(provider, chunk);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ProvidersAndChunks))]
    public async Task RoutedRows_InsertedInChunks_AreTheSameRowsAndCardsInTheSameOrder(string provider, int chunk)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        db.Cases.RoutedRowsPerInsert = chunk;
        var rules = new RuleStore(db.Database);
        await db.Cases.ApplyAsync(Make.Baseline(At, Case("ir-1", CaseStatus.Detained, "Iran"), Case("ir-3", CaseStatus.Detained, "Iran"), Case("af-1", CaseStatus.Detained, "Afghanistan")), None);
        foreach (var channel in new[] { "C1", "C2", "C3" }) await rules.AddAsync(Rule(channel, country: "Iran"), None);
        await rules.AddAsync(new WatchRule(0, "discord", "D1", "Iran", null, null, null, [], "admin", At), None);
        await db.Cards.SetStyleAsync("slack", "C2", Core.Cards.CardStyle.Plain, "admin", At, None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C4", Make.Source, "af-1", "admin", At), None);
        // A card C3 already has for ir-3 stays as it is.
        var existing = await db.Cards.StartAsync(new Core.Alerts.AlertMessage("old-delivery", "slack", "C3", Case("ir-3", CaseStatus.Detained, "Iran"),
            CaseStatus.Detained, CaseStatus.Detained, At, 1), At, None);
        db.AdvanceTo(At.AddHours(1));

        var result = await db.Cases.ApplyAsync(new SyncPlan(Make.Source, At.AddHours(1), false,
        [
            new CaseUpsert(Case("ir-1", CaseStatus.Released, "Iran"), ChangeKind.StatusChanged, CaseStatus.Detained),
            new CaseUpsert(Case("af-1", CaseStatus.Charged, "Afghanistan"), ChangeKind.StatusChanged, CaseStatus.Detained),
            new CaseUpsert(Case("ir-3", CaseStatus.Charged, "Iran"), ChangeKind.StatusChanged, CaseStatus.Detained),
            new CaseUpsert(Case("ir-2", CaseStatus.Detained, "Iran"), ChangeKind.FirstSeen, null),
        ], [], []), None);

        // Each change in turn, its channels in order (a change's sorted); every card-style chat channel's row starts its card, once.
        string[] expected =
        [
            "ir-1 discord/D1 card", "ir-1 slack/C1 card", "ir-1 slack/C2 -", "ir-1 slack/C3 card",
            "af-1 slack/C4 card",
            "ir-3 discord/D1 card", "ir-3 slack/C1 card", "ir-3 slack/C2 -", "ir-3 slack/C3 -",
            "ir-2 slack/C1 card", "ir-2 slack/C2 -", "ir-2 slack/C3 card", "ir-2 discord/D1 card", // a new case's channels in rule order
        ];
        Assert.Equal(expected.Length, result.AlertsQueued);
        await using var connection = await db.Database.Dialect.OpenAsync(None);
        await using var command = Sql.DbCommandExtensions.Command(connection,
            "SELECT o.case_id, o.platform, o.channel_id, c.card_id FROM alert_outbox o LEFT JOIN case_cards c ON c.delivery_id = o.delivery_id ORDER BY o.seq");
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) rows.Add($"{reader.GetString(0)} {reader.GetString(1)}/{reader.GetString(2)} {(reader.IsDBNull(3) ? "-" : "card")}");
        }
        Assert.Equal(expected, rows);
        Assert.Equal(existing.CardId, (await db.Cards.FindAsync("slack", "C3", new CaseKey(Make.Source, "ir-3"), None))!.CardId);
        Assert.Equal(10, await db.CountAsync("SELECT COUNT(*) FROM case_cards"));
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
