using System.Data.Common;
using System.Diagnostics;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Storage.Migrations;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>CaseStore keeps cases, status history, source state, and writes the outbox rows of status changes in
/// the same transaction as the change. A flapping case's changes are decided there too (<paramref name="flaps"/>: one
/// notice, then held until a "settled" alert, see <see cref="SettleFlapsAsync"/>).</summary>
public sealed class CaseStore(StorageDatabase database, FlapPolicy? flaps = null) : ICaseStore, ICaseChangeReader, IFlapSettler
{
    private readonly FlapPolicy _flaps = flaps ?? FlapPolicy.Default;

    private static readonly string[] CaseColumns =
    [
        "source", "id", "name", "aliases_json", "status", "status_since", "nationality", "country", "held_by",
        "location", "summary", "source_url", "updated_at", "first_seen_at",
    ];

    // A batch that touches no manual status leaves feed_status out (as untraced syncs leave trace_parent out): the rows
    // are the same, and a database written as version 1 (the migration tests) takes today's plain writes.
    private static readonly string[] CaseColumnsWithFeedStatus = [.. CaseColumns, "feed_status"];

    private const string UpdateDetails =
        "name = excluded.name, aliases_json = excluded.aliases_json, status_since = excluded.status_since, " +
        "nationality = excluded.nationality, country = excluded.country, held_by = excluded.held_by, " +
        "location = excluded.location, summary = excluded.summary, source_url = excluded.source_url, updated_at = excluded.updated_at";

    // First sightings and checked status changes write the status; a details change never does, so a stale details
    // write cannot undo another writer's status change (and its alert) without anybody noticing.
    private static readonly BulkInsert UpsertWithStatus = new("cases", CaseColumns,
        $"ON CONFLICT (source, id) DO UPDATE SET status = excluded.status, {UpdateDetails}");

    private static readonly BulkInsert UpsertDetails = new("cases", CaseColumns,
        $"ON CONFLICT (source, id) DO UPDATE SET {UpdateDetails}");

    private static readonly BulkInsert UpsertWithStatusAndFeedStatus = new("cases", CaseColumnsWithFeedStatus,
        $"ON CONFLICT (source, id) DO UPDATE SET status = excluded.status, {UpdateDetails}, feed_status = excluded.feed_status");

    private static readonly BulkInsert UpsertDetailsAndFeedStatus = new("cases", CaseColumnsWithFeedStatus,
        $"ON CONFLICT (source, id) DO UPDATE SET {UpdateDetails}, feed_status = excluded.feed_status");

    private static readonly string[] HistoryColumns =
        ["source", "case_id", "old_status", "new_status", "status_since", "observed_at", "snapshot_json"];

    private static readonly string[] ManualHistoryColumns = [.. HistoryColumns, "set_by", "set_on", "note", "link"];

    private static readonly BulkInsert InsertHistory = new("status_history", HistoryColumns);

    private static readonly BulkInsert InsertHistoryReturningId = new("status_history", HistoryColumns, "RETURNING id, case_id");

    private static readonly BulkInsert InsertManualHistoryReturningId = new("status_history", ManualHistoryColumns, "RETURNING id, case_id");

    private static readonly string[] OutboxColumns =
    [
        "delivery_id", "history_id", "platform", "channel_id", "case_source", "case_id", "payload_json", "state",
        "attempts", "next_attempt_at", "created_at",
    ];

    private static readonly BulkInsert InsertOutbox = new("alert_outbox", OutboxColumns);

    // The first alert about a case in a carded chat channel starts its card here, in the same transaction: the card and
    // the row that will post it commit together, and sending the card costs no write before the post.
    private static readonly BulkInsert StartCards = new("case_cards",
        ["card_id", "platform", "channel_id", "case_source", "case_id", "delivery_id", "alert_json", "updated_at"],
        "ON CONFLICT (platform, channel_id, case_source, case_id) DO NOTHING");

    // An untraced sync leaves trace_parent out (NULL) rather than writing NULLs: the rows are the same, and the
    // version-1 migration test can still write its old rows with today's store.
    private static readonly BulkInsert InsertTracedOutbox = new("alert_outbox", [.. OutboxColumns, "trace_parent"]);

    private const string SelectCaseColumns =
        "source, id, name, aliases_json, status, status_since, nationality, country, held_by, location, summary, " +
        "source_url, updated_at, first_seen_at, not_seen_since, feed_status";

    private readonly SqlDialect _dialect = database.Dialect;

    private static readonly object NoAttempts = 0;

    /// <summary>Outbox rows of a sync's routing inserted per statement (with the cards they start). Tests lower it to cross
    /// the boundaries with few rows.</summary>
    internal int RoutedRowsPerInsert { get; set; } = 4096;

    public async Task MigrateAsync(CancellationToken cancellationToken) =>
        await Migrator.MigrateAsync(database, cancellationToken).ConfigureAwait(false);

    public Task PingAsync(CancellationToken cancellationToken) =>
        database.RunAsync("Pinging the database", async connection =>
        {
            await using var command = connection.Command("SELECT 1");
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<StoreSnapshot> LoadAsync(CancellationToken cancellationToken) =>
        database.RunAsync("Loading cases", async connection =>
        {
            var cases = new List<StoredCase>();
            await using (var command = connection.Command($"SELECT {SelectCaseColumns} FROM cases ORDER BY source, id"))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) cases.Add(ReadStoredCase(reader));
            }
            var sources = new List<SourceState>();
            await using (var command = connection.Command("SELECT name, baselined_at, last_sync_at FROM sources ORDER BY name"))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    sources.Add(new SourceState(reader.GetString(0), _dialect.ReadTimestamp(reader, 1), _dialect.ReadTimestamp(reader, 2)));
            }
            return new StoreSnapshot(cases, sources);
        }, cancellationToken);

    public async Task<long> GetHistoryMarkAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await database.RunAsync("Reading the newest status history id", async connection =>
            {
                await using var command = connection.Command("SELECT COALESCE(MAX(id), 0) FROM status_history");
                return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Message.Contains("table is missing", StringComparison.Ordinal))
        {
            return 0; // Not migrated yet: nothing was written.
        }
    }

    public Task<CaseChanges> ReadChangesAsync(long afterHistoryId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading changed cases", async connection =>
        {
            long mark;
            await using (var command = connection.Command("SELECT COALESCE(MAX(id), 0) FROM status_history"))
            {
                mark = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            }
            var cases = new List<StoredCase>();
            if (mark > afterHistoryId)
            {
                await using var command = connection.Command(
                        $"SELECT {SelectCaseColumns} FROM cases WHERE (source, id) IN " +
                        "(SELECT source, case_id FROM status_history WHERE id > @after AND id <= @mark) ORDER BY source, id")
                    .With("@after", afterHistoryId)
                    .With("@mark", mark);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) cases.Add(ReadStoredCase(reader));
            }
            var sources = new List<SourceState>();
            await using (var command = connection.Command("SELECT name, baselined_at, last_sync_at FROM sources ORDER BY name"))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    sources.Add(new SourceState(reader.GetString(0), _dialect.ReadTimestamp(reader, 1), _dialect.ReadTimestamp(reader, 2)));
            }
            return new CaseChanges(mark, cases, sources);
        }, cancellationToken);

    public Task<IReadOnlyList<StatusHistoryEntry>> GetHistoryAsync(CaseKey key, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return database.RunAsync<IReadOnlyList<StatusHistoryEntry>>("Reading status history", async connection =>
        {
            await using var command = connection.Command(
                    "SELECT old_status, new_status, status_since, observed_at, set_by, set_on, note, link FROM status_history " +
                    "WHERE source = @source AND case_id = @case_id ORDER BY observed_at DESC, id DESC LIMIT @limit")
                .With("@source", key.Source)
                .With("@case_id", key.Id)
                .With("@limit", limit);
            var entries = new List<StatusHistoryEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new StatusHistoryEntry(
                    key,
                    reader.IsDBNull(0) ? null : ParseStatus(reader.GetString(0)),
                    ParseStatus(reader.GetString(1)),
                    _dialect.ReadDateOrNull(reader, 2),
                    _dialect.ReadTimestamp(reader, 3),
                    reader.IsDBNull(4) ? key.Source : ManualEdit.Source,
                    reader.IsDBNull(4) ? null : new ManualEdit(reader.GetString(4), reader.IsDBNull(5) ? "" : reader.GetString(5),
                        reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7))));
            }
            return entries;
        }, cancellationToken);
    }

    public Task<ApplyResult> ApplyAsync(SyncPlan plan, CancellationToken cancellationToken) => ApplyAsync(plan, null, cancellationToken);

    public Task<ApplyResult> ApplyAsync(SyncPlan plan, ClaimRequest? claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var misplaced = plan.Upserts.FirstOrDefault(u => u.Case.Source != plan.Source);
        if (misplaced is not null)
            throw new ArgumentException($"Plan for source '{plan.Source}' contains case {misplaced.Case.Key} of another source.", nameof(plan));
        // A document that lists one id twice yields one row; the last record wins, as it would in sequence.
        var upserts = plan.Upserts
            .Where(u => u.Kind != ChangeKind.Unchanged)
            .GroupBy(u => u.Case.Id, StringComparer.Ordinal)
            .Select(g => g.Last())
            .ToList();
        return database.RunInTransactionAsync($"Applying a sync of source '{plan.Source}'",
            (connection, transaction) => ApplyInTransactionAsync(plan, upserts, claim, connection, transaction, cancellationToken),
            cancellationToken);
    }

    private async Task<ApplyResult> ApplyInTransactionAsync(
        SyncPlan plan, List<CaseUpsert> upserts, ClaimRequest? claim, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var observedAt = _dialect.Timestamp(plan.ObservedAt);

        // 1. Status changes go through only where the stored status is still the one the plan was computed from;
        //    the rows are locked (Postgres) or the file is (SQLite) until commit.
        var statusChanges = upserts.Where(u => u.Kind == ChangeKind.StatusChanged).ToList();
        var stored = await ReadStatusesAsync(plan.Source, statusChanges.Select(u => u.Case.Id).ToArray(), connection, transaction, cancellationToken)
            .ConfigureAwait(false);
        var applied = statusChanges
            .Where(u => u.PreviousStatus is { } previous && stored.TryGetValue(u.Case.Id, out var current) && current == previous)
            .ToList();
        var conflicts = statusChanges.Count - applied.Count;

        // 2. Case rows.
        var firstSeen = upserts.Where(u => u.Kind == ChangeKind.FirstSeen).ToList();
        var details = upserts.Where(u => u.Kind == ChangeKind.DetailsChanged).ToList();
        var feedStatus = upserts.Any(u => u.TouchesFeedStatus);
        var written = await _dialect.InsertAsync(connection, transaction, feedStatus ? UpsertWithStatusAndFeedStatus : UpsertWithStatus,
            firstSeen.Concat(applied).Select(u => CaseRow(u, observedAt, feedStatus)).ToList(), null, cancellationToken).ConfigureAwait(false);
        written += await _dialect.InsertAsync(connection, transaction, feedStatus ? UpsertDetailsAndFeedStatus : UpsertDetails,
            details.Select(u => CaseRow(u, observedAt, feedStatus)).ToList(), null, cancellationToken).ConfigureAwait(false);

        // Rule entries route too (after the baseline): the channels whose rules match a changed case, before or after the
        // change, and a case first seen now ("New case").
        var rules = plan.IsBaseline || (applied.Count == 0 && firstSeen.Count == 0)
            ? null
            : new RuleSet(await RuleStore.ReadActiveAsync(_dialect, connection, transaction, cancellationToken).ConfigureAwait(false));
        var newCases = rules is { Count: > 0 }
            ? firstSeen.Select(u => (Upsert: u, Channels: rules.ChannelsFor(u.Case))).Where(n => n.Channels.Count > 0).ToList()
            : [];

        // Flapping (not on a baseline): which changes are alerted, which one becomes the notice, which are held.
        var flapDecisions = plan.IsBaseline
            ? new Dictionary<string, FlapDecision>()
            : await FlapTable.DecideAsync(_dialect, _flaps, plan.Source, applied.Select(u => (u.Case.Id, u.PreviousStatus!.Value, u.Case.Status)).ToList(),
                plan.ObservedAt, connection, transaction, cancellationToken).ConfigureAwait(false);

        // 3. History: first sightings have no old status; status changes (and new cases that rules follow) return their
        //    ids for the outbox rows.
        var historyIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var routedNew = newCases.Select(n => n.Upsert).ToHashSet();
        await _dialect.InsertAsync(connection, transaction, InsertHistory,
            firstSeen.Where(u => !routedNew.Contains(u)).Select(u => HistoryRow(u, null, observedAt, manual: false)).ToList(), null, cancellationToken).ConfigureAwait(false);
        await _dialect.InsertAsync(connection, transaction, InsertHistoryReturningId,
            newCases.Select(n => HistoryRow(n.Upsert, null, observedAt, manual: false)).ToList(),
            reader => historyIds[reader.GetString(1)] = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);
        var manual = applied.Any(u => u.Manual is not null);
        await _dialect.InsertAsync(connection, transaction, manual ? InsertManualHistoryReturningId : InsertHistoryReturningId,
            applied.Select(u => HistoryRow(u, u.PreviousStatus, observedAt, manual)).ToList(),
            reader => historyIds[reader.GetString(1)] = Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken).ConfigureAwait(false);

        // 4. Outbox: one row per watching channel, from the watchlist as it is inside this transaction.
        var alerts = 0;
        if (!plan.IsBaseline && (applied.Count > 0 || newCases.Count > 0))
        {
            var watchers = applied.Count == 0
                ? []
                : await ReadWatchersAsync(plan.Source, applied.Select(u => u.Case.Id).ToArray(), connection, transaction, cancellationToken).ConfigureAwait(false);
            // Rows go in as they are made, RoutedRowsPerInsert at a time (outbox rows, then the cards they start): a fan-out
            // of tens of thousands of rows is never held whole, so its rows die young instead of outliving collections.
            var rows = new List<object?[]>(Math.Min(RoutedRowsPerInsert, 1024));
            var cards = new List<object?[]>(Math.Min(RoutedRowsPerInsert, 1024));
            var plain = await ReadPlainChannelsAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            // The sync's trace context goes with each row: its delivery, whenever and wherever it runs, joins this trace.
            var traceParent = CurrentTraceParent();
            var routed = applied
                .Select(change => (Change: change, Flap: flapDecisions.GetValueOrDefault(change.Case.Id)))
                .Where(c => c.Flap?.Verdict != FlapVerdict.Hold)
                .Select(c => (Upsert: c.Change, Payload: new AlertPayload(c.Change.Case, c.Change.PreviousStatus!.Value, c.Change.Case.Status,
                    plan.ObservedAt, c.Change.PreviousStatusSince, Flap: c.Flap?.Notice), Channels: Channels(watchers.GetValueOrDefault(c.Change.Case.Id), rules, c.Change)))
                .Concat(newCases.Select(n => (n.Upsert, Payload: new AlertPayload(n.Upsert.Case, n.Upsert.Case.Status, n.Upsert.Case.Status, plan.ObservedAt, NewCase: true),
                    Channels: (IReadOnlyCollection<(string, string)>)n.Channels)));
            foreach (var (change, alert, channels) in routed)
            {
                var payload = alert.Serialize();
                var historyId = (object)historyIds[change.Case.Id];
                foreach (var (platform, channelId) in channels)
                {
                    var deliveryId = DeliveryIds.New();
                    rows.Add(traceParent is null
                        ? [deliveryId, historyId, platform, channelId, plan.Source, change.Case.Id, payload, "pending", NoAttempts, observedAt, observedAt]
                        : [deliveryId, historyId, platform, channelId, plan.Source, change.Case.Id, payload, "pending", NoAttempts, observedAt, observedAt, traceParent]);
                    if (platform is Platforms.Discord or Platforms.Slack && !plain.Contains((platform, channelId)))
                    {
                        cards.Add([CardIds.New(), platform, channelId, plan.Source, change.Case.Id, deliveryId, payload, observedAt]);
                    }
                    if (rows.Count >= RoutedRowsPerInsert) alerts += await InsertRoutedAsync().ConfigureAwait(false);
                }
            }
            alerts += await InsertRoutedAsync().ConfigureAwait(false);

            async Task<int> InsertRoutedAsync()
            {
                var inserted = await _dialect.InsertAsync(connection, transaction, traceParent is null ? InsertOutbox : InsertTracedOutbox, rows, null, cancellationToken)
                    .ConfigureAwait(false);
                await _dialect.InsertAsync(connection, transaction, StartCards, cards, null, cancellationToken).ConfigureAwait(false);
                rows.Clear();
                cards.Clear();
                return inserted;
            }
            if (alerts > 0) await AlertOutbox.NotifyQueuedAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
        }

        // 5. Presence: NotSeen keeps the first time a case went missing; SeenAgain clears it.
        await UpdatePresenceAsync(plan.Source, plan.NotSeen, "not_seen_since = @at", "not_seen_since IS NULL", observedAt, connection, transaction, cancellationToken)
            .ConfigureAwait(false);
        await UpdatePresenceAsync(plan.Source, plan.SeenAgain, "not_seen_since = NULL", "not_seen_since IS NOT NULL", null, connection, transaction, cancellationToken)
            .ConfigureAwait(false);

        // 6. Source state: baselined_at only the first time, last_sync_at always.
        await using (var source = connection.Command(
                    "INSERT INTO sources (name, baselined_at, last_sync_at) VALUES (@name, @at, @at) " +
                    "ON CONFLICT (name) DO UPDATE SET last_sync_at = excluded.last_sync_at", transaction)
                .With("@name", plan.Source)
                .With("@at", observedAt))
        {
            await source.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // 7. The dispatcher's claim, when it offered one: the new rows commit already claimed, in this one flush.
        ClaimedBatch? claimed = null;
        if (claim is not null && alerts > 0)
        {
            claimed = await AlertOutbox.ClaimInTransactionAsync(database, claim, connection, transaction, cancellationToken).ConfigureAwait(false);
        }

        return new ApplyResult(written, applied.Count, alerts, conflicts, claimed);
    }

    public Task<int> SettleFlapsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        database.RunInTransactionAsync("Settling flapping cases", async (connection, transaction) =>
        {
            var settled = await FlapTable.TakeSettledAsync(_dialect, now - _flaps.Window, max, connection, transaction, cancellationToken).ConfigureAwait(false);
            if (settled.Count == 0) return 0;
            var rules = new RuleSet(await RuleStore.ReadActiveAsync(_dialect, connection, transaction, cancellationToken).ConfigureAwait(false));
            var at = _dialect.Timestamp(now);
            var rows = new List<object?[]>();
            foreach (var bySource in settled.GroupBy(f => f.Case.Source))
            {
                var ids = bySource.Select(f => f.Case.Id).ToArray();
                var cases = new Dictionary<string, CaseRecord>(StringComparer.Ordinal);
                await using (var command = connection.Command($"SELECT {SelectCaseColumns} FROM cases WHERE source = @source AND {_dialect.InList("id", "@ids")}", transaction)
                                 .With("@source", bySource.Key).With("@ids", _dialect.ListValue(ids)))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        var stored = ReadStoredCase(reader);
                        cases[stored.Case.Id] = stored.Case;
                    }
                }
                var latest = new Dictionary<string, long>(StringComparer.Ordinal);
                await using (var command = connection.Command(
                                     $"SELECT case_id, MAX(id) FROM status_history WHERE source = @source AND {_dialect.InList("case_id", "@ids")} GROUP BY case_id", transaction)
                                 .With("@source", bySource.Key).With("@ids", _dialect.ListValue(ids)))
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        latest[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                }
                var watchers = await ReadWatchersAsync(bySource.Key, ids, connection, transaction, cancellationToken).ConfigureAwait(false);
                foreach (var flap in bySource)
                {
                    if (!cases.TryGetValue(flap.Case.Id, out var current)) continue;
                    // The channels that heard the notice: its direct watchers, and the rules matching any status it moved through.
                    var states = flap.Statuses.Select(s => current with { Status = s }).Append(current).ToArray();
                    var channels = new HashSet<(string, string)>(watchers.GetValueOrDefault(flap.Case.Id) ?? []);
                    channels.UnionWith(rules.ChannelsFor(states));
                    var payload = new AlertPayload(current, flap.Statuses.Count > 0 ? flap.Statuses[0] : current.Status, current.Status, now,
                        Flap: new AlertFlap(Settled: true, flap.Statuses, flap.Changes, flap.Since)).Serialize();
                    foreach (var (platform, channelId) in channels.Order())
                    {
                        rows.Add([DeliveryIds.New(), latest.GetValueOrDefault(flap.Case.Id), platform, channelId, flap.Case.Source, flap.Case.Id, payload, "pending", 0, at, at]);
                    }
                }
            }
            var alerts = await _dialect.InsertAsync(connection, transaction, InsertOutbox, rows, null, cancellationToken).ConfigureAwait(false);
            if (alerts > 0) await AlertOutbox.NotifyQueuedAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
            return alerts;
        }, cancellationToken);

    /// <summary>The W3C traceparent of the running activity; null when nothing traces (no listener) or the activity uses
    /// the legacy hierarchical id format, which no W3C tracer could continue.</summary>
    private static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    /// <summary>Each channel once: its direct entries, and its rules matching the case as it was or as it is now (a case
    /// whose status leaves a rule's list gets that last alert).</summary>
    private static IReadOnlyCollection<(string, string)> Channels(List<(string Platform, string ChannelId)>? direct, RuleSet? rules, CaseUpsert change)
    {
        if (rules is not { Count: > 0 }) return direct is null ? [] : direct;
        var before = change.Case with { Status = change.PreviousStatus ?? change.Case.Status };
        var byRule = rules.OrderedChannelsFor(before, change.Case);
        if (byRule.Count == 0) return direct is null ? [] : direct;
        if (direct is null) return byRule; // already each once, in Order()'s order
        var all = new HashSet<(string, string)>(direct ?? []);
        all.UnionWith(byRule);
        return all.Order().ToArray();
    }

    /// <summary>The chat channels whose style is plain (few: card is the default).</summary>
    private static async Task<HashSet<(string Platform, string ChannelId)>> ReadPlainChannelsAsync(DbConnection connection, DbTransaction transaction,
        CancellationToken cancellationToken)
    {
        var plain = new HashSet<(string, string)>();
        await using var command = connection.Command("SELECT platform, channel_id FROM channel_settings WHERE style = 'plain'", transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) plain.Add((reader.GetString(0), reader.GetString(1)));
        return plain;
    }

    private async Task<Dictionary<string, CaseStatus>> ReadStatusesAsync(
        string source, string[] ids, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var statuses = new Dictionary<string, CaseStatus>(StringComparer.Ordinal);
        if (ids.Length == 0) return statuses;
        await using var command = connection.Command(
                $"SELECT id, status FROM cases WHERE source = @source AND {_dialect.InList("id", "@ids")}{_dialect.ForUpdate}", transaction)
            .With("@source", source)
            .With("@ids", _dialect.ListValue(ids));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) statuses[reader.GetString(0)] = ParseStatus(reader.GetString(1));
        return statuses;
    }

    /// <summary>Channels watching each case id of this source, one per channel. Entries without a source ('*', stored by
    /// earlier versions) match nothing: they would let a newly created source alert their channels.</summary>
    private async Task<Dictionary<string, List<(string Platform, string ChannelId)>>> ReadWatchersAsync(
        string source, string[] ids, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var watchers = new Dictionary<string, List<(string, string)>>(StringComparer.Ordinal);
        await using var command = connection.Command(
                "SELECT DISTINCT case_id, platform, channel_id FROM watchlist " +
                $"WHERE removed_at IS NULL AND case_source = @source AND {_dialect.InList("case_id", "@ids")} " +
                "ORDER BY case_id, platform, channel_id", transaction)
            .With("@source", source)
            .With("@ids", _dialect.ListValue(ids));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var caseId = reader.GetString(0);
            if (!watchers.TryGetValue(caseId, out var channels)) watchers[caseId] = channels = [];
            channels.Add((reader.GetString(1), reader.GetString(2)));
        }
        return watchers;
    }

    private async Task UpdatePresenceAsync(
        string source, IReadOnlyList<CaseKey> keys, string set, string condition, object? at,
        DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var ids = keys.Where(k => k.Source == source).Select(k => k.Id).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0) return;
        await using var command = connection.Command(
                $"UPDATE cases SET {set} WHERE source = @source AND {condition} AND {_dialect.InList("id", "@ids")}", transaction)
            .With("@source", source)
            .With("@ids", _dialect.ListValue(ids));
        if (at is not null) command.With("@at", at);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private object?[] CaseRow(CaseUpsert u, object firstSeenAt, bool withFeedStatus)
    {
        var c = u.Case;
        object?[] row =
        [
            c.Source, c.Id, c.Name, CaseJson.SerializeAliases(c.Aliases), c.Status.ToWire(), _dialect.DateOrNull(c.StatusSince),
            c.Nationality, c.Country, c.HeldBy, c.Location, c.Summary, c.SourceUrl, _dialect.TimestampOrNull(c.UpdatedAt), firstSeenAt,
        ];
        return withFeedStatus ? [.. row, u.FeedStatus?.ToWire()] : row;
    }

    private object?[] HistoryRow(CaseUpsert u, CaseStatus? oldStatus, object observedAt, bool manual)
    {
        var c = u.Case;
        object?[] row = [c.Source, c.Id, oldStatus?.ToWire(), c.Status.ToWire(), _dialect.DateOrNull(c.StatusSince), observedAt, CaseJson.Serialize(c)];
        return manual ? [.. row, u.Manual?.SetBy, u.Manual?.Platform, u.Manual?.Note, u.Manual?.Link] : row;
    }

    private StoredCase ReadStoredCase(DbDataReader reader)
    {
        var record = new CaseRecord
        {
            Source = reader.GetString(0),
            Id = reader.GetString(1),
            Name = reader.GetString(2),
            Aliases = CaseJson.DeserializeAliases(reader.GetString(3)),
            Status = ParseStatus(reader.GetString(4)),
            StatusSince = _dialect.ReadDateOrNull(reader, 5),
            // Values that many cases repeat are kept once (SharedValues), as the parser keeps them.
            Nationality = reader.IsDBNull(6) ? null : SharedValues.Of(reader.GetString(6)),
            Country = reader.IsDBNull(7) ? null : SharedValues.Of(reader.GetString(7)),
            HeldBy = reader.IsDBNull(8) ? null : SharedValues.Of(reader.GetString(8)),
            Location = reader.IsDBNull(9) ? null : SharedValues.Of(reader.GetString(9)),
            Summary = reader.IsDBNull(10) ? null : reader.GetString(10),
            SourceUrl = reader.IsDBNull(11) ? null : reader.GetString(11),
            UpdatedAt = _dialect.ReadTimestampOrNull(reader, 12),
        };
        return new StoredCase(record, _dialect.ReadTimestamp(reader, 13), _dialect.ReadTimestampOrNull(reader, 14),
            reader.IsDBNull(15) ? null : ParseStatus(reader.GetString(15)));
    }

    internal static CaseStatus ParseStatus(string wire) =>
        CaseStatuses.TryParse(wire, out var status)
            ? status
            : throw new InvalidDataException($"Stored status '{wire}' is not a contract status ({CaseStatuses.AllowedValues}).");
}
