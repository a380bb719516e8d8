using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Storage.Migrations;

namespace DetaineeAlertBot.Storage.Tests;

public sealed class MigrationTests
{
    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_RunTwice_RecordsEachVersionOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        var expected = Migrator.Load(provider);

        await db.Cases.MigrateAsync(CancellationToken.None);
        await db.Cases.MigrateAsync(CancellationToken.None);

        Assert.NotEmpty(expected);
        Assert.Equal(1, expected[0].Version);
        Assert.Equal(expected.Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(expected[^1].Version, await db.CountAsync("SELECT MAX(version) FROM schema_migrations"));
        Assert.Equal(0, await db.CountAsync("SELECT COUNT(*) FROM cases"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_ConcurrentStarts_ApplyEachVersionOnce(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        // Two "processes" (separate StorageDatabase instances, separate pools) migrate at the same moment.
        await using var other = StorageDatabase.Create(db.Options);

        await Task.WhenAll(
            Task.Run(() => db.Cases.MigrateAsync(CancellationToken.None)),
            Task.Run(() => new CaseStore(other).MigrateAsync(CancellationToken.None)));

        Assert.Equal(Migrator.Load(provider).Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_Version1Outbox_KeepsItsRowsAndTheCrashedSendBecomesPendingInDoubt(string provider)
    {
        var None = CancellationToken.None;
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        // A database as version 1 left it: only 0001 applied, written by the stores of that version.
        var initial = Migrator.Load(provider)[0];
        Assert.Equal(1, initial.Version);
        await db.ExecuteAsync(initial.Sql);
        var timestampType = provider == StorageOptions.Postgres ? "timestamptz" : "text";
        await db.ExecuteAsync($"CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at {timestampType} NOT NULL)");
        await db.ExecuteAsync($"INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, '{initial.Name}', '2026-11-26T09:00:00Z')");
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained)), None);
        foreach (var channel in new[] { "ch000", "ch001", "ch002", "ch003" })
            await db.Watchlists.AddAsync(new WatchlistEntry("discord", channel, Make.Source, "a", "admin", TestDatabase.Start), None);
        var createdAt = TestDatabase.Start.AddHours(1);
        db.AdvanceTo(createdAt); // SQLite's clock; Postgres's now() is later anyway
        // The change as version 1 wrote it (today's store writes tables version 1 did not have): the case, its history row
        // and one pending outbox row per watching channel.
        var released = Make.Case("a", CaseStatus.Released);
        var at = provider == StorageOptions.Postgres ? "'2026-11-26T10:00:00Z'" : $"'{db.Database.Dialect.Timestamp(createdAt)}'";
        await db.ExecuteAsync($"UPDATE cases SET status = 'released' WHERE source = '{Make.Source}' AND id = 'a'");
        await db.ExecuteAsync("INSERT INTO status_history (source, case_id, old_status, new_status, status_since, observed_at, snapshot_json) " +
            $"VALUES ('{Make.Source}', 'a', 'detained', 'released', NULL, {at}, '{{}}')");
        var payload = new AlertPayload(released, CaseStatus.Detained, CaseStatus.Released, createdAt).Serialize().Replace("'", "''", StringComparison.Ordinal);
        foreach (var channel in new[] { "ch000", "ch001", "ch002", "ch003" })
        {
            await db.ExecuteAsync("INSERT INTO alert_outbox (delivery_id, history_id, platform, channel_id, case_source, case_id, payload_json, state, attempts, next_attempt_at, created_at) " +
                $"VALUES ('{DeliveryIds.New()}', (SELECT MAX(id) FROM status_history), 'discord', '{channel}', '{Make.Source}', 'a', '{payload}', 'pending', 0, {at}, {at})");
        }
        // Version 1 counted a claim as an attempt: ch000 was sent, ch001 was mid-send when the process died, ch003
        // failed twice and waits for its retry, ch002 was never tried.
        await db.ExecuteAsync("UPDATE alert_outbox SET state = 'sent', attempts = 1, external_id = 'msg-0', sent_at = created_at WHERE channel_id = 'ch000'");
        await db.ExecuteAsync("UPDATE alert_outbox SET state = 'sending', attempts = 1, lease_owner = 'crashed', lease_until = next_attempt_at WHERE channel_id = 'ch001'");
        await db.ExecuteAsync("UPDATE alert_outbox SET attempts = 2, last_error = 'HTTP 503' WHERE channel_id = 'ch003'");
        var ids = new Dictionary<string, string>();
        foreach (var channel in new[] { "ch000", "ch001", "ch002", "ch003" })
            ids[channel] = (await db.TextAsync($"SELECT delivery_id FROM alert_outbox WHERE channel_id = '{channel}'"))!;

        // The new version starts.
        await db.ReopenAsync();
        await db.Cases.MigrateAsync(None);

        Assert.Equal(Migrator.Load(provider).Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        Assert.Equal(new OutboxRow(ids["ch000"], "discord", "ch000", Make.Source, "a", OutboxState.Sent, 1, null, "msg-0", createdAt, createdAt),
            await db.Outbox.FindAsync(ids["ch000"], None));
        Assert.Equal((OutboxState.Pending, 1), ((await db.Outbox.FindAsync(ids["ch001"], None))!.State, (await db.Outbox.FindAsync(ids["ch001"], None))!.Attempts));
        Assert.Equal(new OutboxRow(ids["ch003"], "discord", "ch003", Make.Source, "a", OutboxState.Pending, 2, "HTTP 503", null, createdAt, null),
            await db.Outbox.FindAsync(ids["ch003"], None));
        // The delivered counter starts from the rows already sent.
        Assert.Equal(new OutboxStats(3, 0, 0, 0, 1, createdAt), await db.Outbox.GetStatsAsync(None));
        Assert.Equal([new OutboxPlatformCount("discord", "pending", 3), new OutboxPlatformCount("discord", "sent", 1)], await db.Outbox.CountByPlatformAsync(None));

        // A change after the migration queues behind the old rows (the sequence continues after them), and waits in
        // each channel whose older row is still open.
        var later = createdAt.AddMinutes(5);
        db.AdvanceTo(later);
        await db.Cases.ApplyAsync(Make.Plan(later, Make.StatusChange(Make.Case("a", CaseStatus.Deceased), CaseStatus.Released)), None);
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", TimeSpan.FromMinutes(2), 10, ["discord"]), None);

        Assert.Equal(
            ["ch001:released", "ch002:released", "ch003:released", "ch000:deceased"],
            batch.Items.Select(i => $"{i.ChannelId}:{i.Alert!.NewStatus.ToWire()}"));
        var (crashed, fresh, retried) = (batch.Items[0], batch.Items[1], batch.Items[2]);
        // The crashed send may have arrived: in doubt, first tried when it was created (the best v1 knows).
        Assert.Equal((ids["ch001"], true, 1, createdAt), (crashed.DeliveryId, crashed.InDoubt, crashed.Attempts, crashed.FirstTryAt!.Value));
        Assert.Equal((ids["ch002"], false, 0, batch.Now), (fresh.DeliveryId, fresh.InDoubt, fresh.Attempts, fresh.FirstTryAt!.Value));
        Assert.Equal((ids["ch003"], true, 2, createdAt), (retried.DeliveryId, retried.InDoubt, retried.Attempts, retried.FirstTryAt!.Value));
        Assert.True(await db.Outbox.MarkSentAsync(crashed.DeliveryId, term, "msg-1", None));
        Assert.Equal(2, (await db.Outbox.GetStatsAsync(None)).Delivered);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Migrate_Version9_PartialIndexesKeepEveryCountAndClaim(string provider)
    {
        var None = CancellationToken.None;
        await using var db = await TestDatabase.CreateAsync(provider, migrate: false);
        // A database as version 9 left it: its indexes on state held every row.
        var timestampType = provider == StorageOptions.Postgres ? "timestamptz" : "text";
        await db.ExecuteAsync($"CREATE TABLE schema_migrations (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at {timestampType} NOT NULL)");
        foreach (var migration in Migrator.Load(provider).Where(m => m.Version <= 9))
        {
            await db.ExecuteAsync(migration.Sql);
            await db.ExecuteAsync($"INSERT INTO schema_migrations (version, name, applied_at) VALUES ({migration.Version}, '{migration.Name}', '2026-11-26T09:00:00Z')");
        }
        await db.ReopenAsync();
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained)), None);
        var channels = new[] { "ch000", "ch001", "ch002", "ch003", "ch004" };
        foreach (var channel in channels)
            await db.Watchlists.AddAsync(new WatchlistEntry("discord", channel, Make.Source, "a", "admin", TestDatabase.Start), None);
        var createdAt = TestDatabase.Start.AddHours(1);
        db.AdvanceTo(createdAt);
        await db.Cases.ApplyAsync(Make.Plan(createdAt, Make.StatusChange(Make.Case("a", CaseStatus.Released), CaseStatus.Detained)), None);
        // One row in each state: sent, dead, sending, waiting (pending, not due), pending and due.
        var term = await db.Outbox.BeginTermAsync(None);
        var claimed = (await db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", TimeSpan.FromMinutes(2), 4, ["discord"]), None)).Items;
        Assert.Equal(channels[..4], claimed.Select(i => i.ChannelId));
        Assert.True(await db.Outbox.MarkSentAsync(claimed[0].DeliveryId, term, "msg-0", None));
        Assert.True(await db.Outbox.MarkDeadAsync(claimed[1].DeliveryId, term, "HTTP 403", None));
        Assert.True(await db.Outbox.MarkWaitingAsync(claimed[3].DeliveryId, term,
            new WaitMark("HTTP 503", TimeSpan.FromHours(1), CountsAsAttempt: true, InDoubt: false, Failing: true), None));
        var stats = await db.Outbox.GetStatsAsync(None);
        var byPlatform = await db.Outbox.CountByPlatformAsync(None);
        Assert.Equal(new OutboxStats(2, 1, 1, 1, 1, stats.OldestPendingAt), stats);

        await db.ReopenAsync();
        await db.Cases.MigrateAsync(None);

        Assert.Equal(Migrator.Load(provider).Count, await db.CountAsync("SELECT COUNT(*) FROM schema_migrations"));
        var indexes = provider == StorageOptions.Postgres
            ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN (@names) AND indexdef LIKE '% WHERE %'"
            : "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN (@names) AND sql LIKE '% WHERE %'";
        Assert.Equal(5, await db.CountAsync(indexes.Replace("@names",
            "'ix_alert_outbox_open_due', 'ix_alert_outbox_open_created', 'ix_alert_outbox_dead', 'ix_alert_outbox_sent', 'ix_case_cards_message'",
            StringComparison.Ordinal)));
        Assert.Equal(0, await db.CountAsync(provider == StorageOptions.Postgres
            ? "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ('ix_alert_outbox_state_due', 'ix_alert_outbox_state_created')"
            : "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('ix_alert_outbox_state_due', 'ix_alert_outbox_state_created')"));
        Assert.Equal(stats, await db.Outbox.GetStatsAsync(None));
        Assert.Equal(byPlatform, await db.Outbox.CountByPlatformAsync(None));
        Assert.Equal([claimed[1].DeliveryId], (await db.Outbox.ListDeadAsync(10, None)).Select(d => d.DeliveryId));
        // The open rows are claimed as before: the one still due, then the one whose lease is taken over by a new term.
        var next = await db.Outbox.BeginTermAsync(None);
        Assert.Equal([claimed[2].ChannelId, "ch004"],
            (await db.Outbox.ClaimAsync(new ClaimRequest(next, "w2", TimeSpan.FromMinutes(2), 10, ["discord"]), None)).Items.Select(i => i.ChannelId));
        Assert.Equal(1, await db.Outbox.RetryDeadAsync(null, None));
        Assert.Equal(0, (await db.Outbox.GetStatsAsync(None)).Dead);
    }

    [Fact]
    public void Load_BothProviders_HaveTheSameVersions()
    {
        // A migration added for one database only would leave the other schema behind.
        Assert.Equal(
            Migrator.Load(StorageOptions.Sqlite).Select(m => m.Name),
            Migrator.Load(StorageOptions.Postgres).Select(m => m.Name));
    }
}
