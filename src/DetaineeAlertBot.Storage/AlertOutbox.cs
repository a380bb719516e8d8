using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>AlertOutbox is the alert_outbox table as a fenced work queue. Rows move pending → sending (claimed under a
/// delivery term) → sent | pending again (waiting) | dead. Claims and marks carry the term: a row claimed under an
/// older term is claimable at once, and a mark from an older term changes nothing.</summary>
public sealed class AlertOutbox(StorageDatabase database) : IAlertOutbox
{
    // The WHERE terms of the partial indexes (migration 0010): open rows, dead rows, delivered rows.
    private const string Open = "('pending', 'sending')";
    private const string Dead = "dead";
    private const string ReportKind = "report";

    private readonly SqlDialect _dialect = database.Dialect;

    public Task<long> BeginTermAsync(CancellationToken cancellationToken) =>
        database.RunInTransactionAsync("Starting a delivery term", async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE delivery_term SET term = term + 1 WHERE id = 1 RETURNING term", transaction);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }, cancellationToken);

    public Task<ClaimedBatch> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(request.Lease, TimeSpan.Zero);
        if (request.Max <= 0 || request.Platforms.Count == 0) return Task.FromResult(ClaimedBatch.Empty);
        return database.RunInTransactionAsync("Claiming due alerts",
            (connection, transaction) => ClaimInTransactionAsync(database, request, connection, transaction, cancellationToken), cancellationToken);
    }

    /// <summary>The claim as one statement inside the caller's transaction: the dispatcher's own claim, and the store's
    /// claim of the rows a sync has just queued (so they commit claimed, with one flush instead of two).</summary>
    internal static async Task<ClaimedBatch> ClaimInTransactionAsync(
        StorageDatabase database, ClaimRequest request, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (request.Max <= 0 || request.Platforms.Count == 0) return ClaimedBatch.Empty;
        var dialect = database.Dialect;
        var now = dialect.Now;
        // Postgres: SKIP LOCKED keeps a stray claimer from blocking; SQLite: BEGIN IMMEDIATE serialises claimers.
        // The term check makes a dispatcher that lost the lead claim nothing, however late its statement runs.
        var sql =
            $"UPDATE alert_outbox SET state = 'sending', lease_owner = @owner, claim_term = @term, lease_until = {dialect.NowPlus("@lease")}, " +
            "in_doubt = CASE WHEN state = 'sending' THEN @true ELSE in_doubt END, " +
            $"first_try_at = COALESCE(first_try_at, {now}) " +
            "WHERE delivery_id IN (SELECT o.delivery_id FROM alert_outbox o " +
            $"WHERE o.state IN {Open} AND {dialect.InList("o.platform", "@platforms")} " +
            $"AND ((o.state = 'pending' AND o.next_attempt_at <= {now}) OR (o.state = 'sending' AND (o.claim_term IS NULL OR o.claim_term < @term OR o.lease_until < {now}))) " +
            // Order per channel and case: an older open row of the same pair goes first.
            $"AND NOT EXISTS (SELECT 1 FROM alert_outbox p WHERE p.platform = o.platform AND p.channel_id = o.channel_id " +
            $"AND p.case_source = o.case_source AND p.case_id = o.case_id AND p.state IN {Open} AND p.seq < o.seq) " +
            // A paused platform sends nothing; a paused channel only when its next check is due.
            "AND NOT EXISTS (SELECT 1 FROM delivery_pauses z WHERE z.platform = o.platform " +
            $"AND (z.channel_id = '' OR (z.channel_id = o.channel_id AND z.next_check_at > {now}))) " +
            $"ORDER BY o.seq LIMIT @max{dialect.ForUpdateSkipLocked}) " +
            "AND (SELECT term FROM delivery_term WHERE id = 1) = @term " +
            "RETURNING delivery_id, kind, platform, channel_id, payload_json, attempts, in_doubt, first_try_at, failing_since, created_at, seq, " + now + ", trace_parent";
        await using var command = dialect.BindNow(connection.Command(sql, transaction), database.Time)
            .With("@owner", request.Owner)
            .With("@term", request.Term)
            .With("@lease", request.Lease.TotalSeconds)
            .With("@true", dialect.Boolean(true))
            .With("@platforms", dialect.ListValue(request.Platforms))
            .With("@max", request.Max);
        var claimed = new List<(long Seq, OutboxItem Item)>();
        var batchNow = DateTimeOffset.MinValue;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var deliveryId = reader.GetString(0);
                var platform = reader.GetString(2);
                var channel = reader.GetString(3);
                var attempts = Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture);
                AlertMessage? alert = null;
                AdminReport? report = null;
                if (reader.GetString(1) == ReportKind)
                {
                    report = ReadReport(reader.GetString(4));
                }
                else
                {
                    alert = AlertPayload.Deserialize(reader.GetString(4)).ToMessage(deliveryId, platform, channel, attempts + 1);
                }
                batchNow = dialect.ReadTimestamp(reader, 11);
                claimed.Add((Convert.ToInt64(reader.GetValue(10), CultureInfo.InvariantCulture), new OutboxItem(
                    deliveryId, platform, channel, alert, report, attempts, dialect.ReadBoolean(reader, 6),
                    dialect.ReadTimestampOrNull(reader, 7), dialect.ReadTimestampOrNull(reader, 8), dialect.ReadTimestamp(reader, 9),
                    reader.IsDBNull(12) ? null : reader.GetString(12))));
            }
        }
        // RETURNING has no order of its own; put the claim back into the order it was chosen in.
        return claimed.Count == 0 ? ClaimedBatch.Empty : new ClaimedBatch(batchNow, claimed.OrderBy(c => c.Seq).Select(c => c.Item).ToArray());
    }

    public Task<bool> MarkSentAsync(string deliveryId, long term, string? externalId, CancellationToken cancellationToken) =>
        database.RunInTransactionAsync("Marking an alert sent", async (connection, transaction) =>
        {
            string? platform;
            await using (var command = Fenced(connection, transaction,
                    $"UPDATE alert_outbox SET state = 'sent', external_id = @external_id, sent_at = {_dialect.Now}, lease_owner = NULL, lease_until = NULL, " +
                    "wait_reason = NULL WHERE delivery_id = @delivery_id AND state = 'sending' AND claim_term = @term RETURNING platform",
                    deliveryId, term).With("@external_id", externalId))
            {
                platform = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
            }
            if (platform is null) return false;
            await using var counter = connection.Command(
                    "INSERT INTO outbox_delivered (platform, delivered) VALUES (@platform, 1) " +
                    "ON CONFLICT (platform) DO UPDATE SET delivered = outbox_delivered.delivered + 1", transaction)
                .With("@platform", platform);
            await counter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public Task<bool> MarkWaitingAsync(string deliveryId, long term, WaitMark mark, CancellationToken cancellationToken) =>
        ExecuteFencedAsync("Scheduling an alert retry",
            $"UPDATE alert_outbox SET state = 'pending', next_attempt_at = {_dialect.NowPlus("@delay")}, lease_owner = NULL, lease_until = NULL, " +
            "attempts = attempts + @count, in_doubt = @in_doubt, wait_reason = @reason, " +
            "last_error = CASE WHEN @failing = @true THEN @reason ELSE last_error END, " +
            $"failing_since = CASE WHEN @failing = @true THEN COALESCE(failing_since, {_dialect.Now}) ELSE failing_since END " +
            "WHERE delivery_id = @delivery_id AND state = 'sending' AND claim_term = @term",
            deliveryId, term, command => command
                .With("@delay", Math.Max(0, mark.Delay.TotalSeconds))
                .With("@count", mark.CountsAsAttempt ? 1 : 0)
                .With("@in_doubt", _dialect.Boolean(mark.InDoubt))
                .With("@reason", mark.Reason)
                .With("@failing", _dialect.Boolean(mark.Failing))
                .With("@true", _dialect.Boolean(true)),
            cancellationToken);

    public Task<bool> MarkDeadAsync(string deliveryId, long term, string error, CancellationToken cancellationToken) =>
        ExecuteFencedAsync("Dead-lettering an alert",
            $"UPDATE alert_outbox SET state = 'dead', last_error = @error, dead_at = {_dialect.Now}, lease_owner = NULL, lease_until = NULL, wait_reason = NULL " +
            "WHERE delivery_id = @delivery_id AND state = 'sending' AND claim_term = @term",
            deliveryId, term, command => command.With("@error", error), cancellationToken);

    public Task<bool> PauseAsync(string platform, string? channelId, string reason, TimeSpan checkAfter, CancellationToken cancellationToken) =>
        database.RunInTransactionAsync("Pausing deliveries", async (connection, transaction) =>
        {
            await using var command = _dialect.BindNow(connection.Command(
                    $"INSERT INTO delivery_pauses (platform, channel_id, reason, since, next_check_at, checks) VALUES (@platform, @channel, @reason, {_dialect.Now}, " +
                    $"{_dialect.NowPlus("@after")}, 0) ON CONFLICT (platform, channel_id) DO NOTHING", transaction), database.Time)
                .With("@platform", platform).With("@channel", channelId ?? "").With("@reason", reason).With("@after", checkAfter.TotalSeconds);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    public Task DeferPauseAsync(string platform, string? channelId, string reason, TimeSpan checkAfter, CancellationToken cancellationToken) =>
        database.RunAsync("Deferring a paused delivery check", async connection =>
        {
            await using var command = _dialect.BindNow(connection.Command(
                    $"UPDATE delivery_pauses SET reason = @reason, next_check_at = {_dialect.NowPlus("@after")}, checks = checks + 1 " +
                    "WHERE platform = @platform AND channel_id = @channel"), database.Time)
                .With("@platform", platform).With("@channel", channelId ?? "").With("@reason", reason).With("@after", checkAfter.TotalSeconds);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<bool> ResumeAsync(string platform, string? channelId, CancellationToken cancellationToken) =>
        database.RunAsync("Resuming deliveries", async connection =>
        {
            await using var command = connection.Command("DELETE FROM delivery_pauses WHERE platform = @platform AND channel_id = @channel")
                .With("@platform", platform).With("@channel", channelId ?? "");
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    public Task<IReadOnlyList<DeliveryPause>> GetPausesAsync(CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<DeliveryPause>>("Reading paused deliveries", async connection =>
        {
            await using var command = connection.Command(
                "SELECT platform, channel_id, reason, since, next_check_at, checks FROM delivery_pauses ORDER BY platform, channel_id");
            var pauses = new List<DeliveryPause>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var channel = reader.GetString(1);
                pauses.Add(new DeliveryPause(reader.GetString(0), channel.Length == 0 ? null : channel, reader.GetString(2),
                    _dialect.ReadTimestamp(reader, 3), _dialect.ReadTimestamp(reader, 4), Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture)));
            }
            return pauses;
        }, cancellationToken);

    public Task<bool> EnqueueReportAsync(string incident, AdminReport report, IReadOnlyList<ReportTarget> targets, TimeSpan minInterval, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(incident);
        if (targets.Count == 0) return Task.FromResult(false);
        var payload = WriteReport(report);
        return database.RunInTransactionAsync("Queueing an admin report", async (connection, transaction) =>
        {
            // One statement decides "not reported within the interval" and records the report, so two callers racing on
            // one incident queue it once.
            await using (var gate = _dialect.BindNow(connection.Command(
                        $"INSERT INTO admin_incidents (incident, last_reported_at) VALUES (@incident, {_dialect.Now}) " +
                        $"ON CONFLICT (incident) DO UPDATE SET last_reported_at = excluded.last_reported_at " +
                        $"WHERE admin_incidents.last_reported_at <= {_dialect.NowPlus("@interval")}", transaction), database.Time)
                    .With("@incident", incident).With("@interval", -minInterval.TotalSeconds))
            {
                if (await gate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0) return false;
            }
            foreach (var target in targets)
            {
                await InsertReportAsync(database, connection, transaction, DeliveryIds.New(), target, incident, payload, cancellationToken).ConfigureAwait(false);
            }
            await NotifyQueuedAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>One report row for <paramref name="target"/>, due now, inside the caller's transaction (admin reports, digests).</summary>
    internal static async Task InsertReportAsync(StorageDatabase database, DbConnection connection, DbTransaction transaction, string deliveryId, ReportTarget target,
        string incident, string payload, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        await using var insert = dialect.BindNow(connection.Command(
                "INSERT INTO alert_outbox (delivery_id, kind, history_id, platform, channel_id, case_source, case_id, payload_json, state, attempts, next_attempt_at, created_at) " +
                $"VALUES (@id, '{ReportKind}', NULL, @platform, @channel, '', @incident, @payload, 'pending', 0, {dialect.Now}, {dialect.Now})", transaction), database.Time)
            .With("@id", deliveryId).With("@platform", target.Platform).With("@channel", target.ChannelId)
            .With("@incident", incident).With("@payload", payload);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Wakes listening dispatchers (Postgres NOTIFY at commit; nothing in SQLite, where they share the process).</summary>
    internal static async Task NotifyQueuedAsync(StorageDatabase database, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (database.Dialect.OutboxQueuedNotification is { } notify)
        {
            await using var command = connection.Command(notify, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken) =>
        database.RunAsync("Counting outbox rows", async connection =>
        {
            await using var command = _dialect.BindNow(connection.Command(StatsSql(_dialect)), database.Time);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            return new OutboxStats(Long(reader, 0), Long(reader, 1), Long(reader, 2), Long(reader, 3), Long(reader, 4), _dialect.ReadTimestampOrNull(reader, 5));
        }, cancellationToken);

    /// <summary>The counts of <see cref="GetStatsAsync"/>. Every count reads a partial index of the open or dead rows, or
    /// the maintained counters: never the delivered rows. Each query repeats its index's WHERE term, the only way SQLite
    /// uses a partial index (a test checks the plans).</summary>
    internal static string StatsSql(SqlDialect dialect) =>
        $"SELECT (SELECT COUNT(*) FROM alert_outbox WHERE state IN {Open} AND state = 'pending'), " +
        $"(SELECT COUNT(*) FROM alert_outbox WHERE state IN {Open} AND state = 'sending'), " +
        $"(SELECT COUNT(*) FROM alert_outbox o WHERE o.state IN {Open} AND o.state = 'pending' AND (o.next_attempt_at > {dialect.Now} OR EXISTS (SELECT 1 FROM delivery_pauses z " +
        "WHERE z.platform = o.platform AND z.channel_id IN ('', o.channel_id)))), " +
        $"(SELECT COUNT(*) FROM alert_outbox WHERE state = '{Dead}'), " +
        "(SELECT COALESCE(SUM(delivered), 0) FROM outbox_delivered), " +
        $"(SELECT MIN(created_at) FROM alert_outbox WHERE state IN {Open})";

    /// <summary>The counts of <see cref="CountByPlatformAsync"/>: open and dead rows through their partial indexes (one
    /// query per index's WHERE term), delivered ones from the maintained counter.</summary>
    internal const string CountByPlatformSql =
        $"SELECT platform, state, COUNT(*) FROM alert_outbox WHERE state IN {Open} GROUP BY platform, state " +
        $"UNION ALL SELECT platform, '{Dead}', COUNT(*) FROM alert_outbox WHERE state = '{Dead}' GROUP BY platform " +
        "UNION ALL SELECT platform, 'sent', delivered FROM outbox_delivered ORDER BY 1, 2";

    public Task<IReadOnlyList<ChannelBacklog>> GetBacklogAsync(int max, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<ChannelBacklog>>("Reading the outbox backlog", async connection =>
        {
            await using var command = connection.Command(
                    $"SELECT platform, channel_id, COUNT(*), MIN(created_at), MAX(last_error) FROM alert_outbox WHERE state IN {Open} " +
                    "GROUP BY platform, channel_id ORDER BY COUNT(*) DESC, platform, channel_id LIMIT @max")
                .With("@max", Math.Max(1, max));
            var backlog = new List<ChannelBacklog>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                backlog.Add(new ChannelBacklog(reader.GetString(0), reader.GetString(1), Long(reader, 2), _dialect.ReadTimestamp(reader, 3),
                    reader.IsDBNull(4) ? null : reader.GetString(4)));
            }
            return backlog;
        }, cancellationToken);

    public Task<IReadOnlyList<DeadLetter>> ListDeadAsync(int max, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<DeadLetter>>("Listing dead letters", async connection =>
        {
            await using var command = connection.Command(
                    "SELECT delivery_id, kind, platform, channel_id, case_source, case_id, payload_json, last_error, dead_at, created_at " +
                    "FROM alert_outbox WHERE state = 'dead' ORDER BY dead_at DESC, seq DESC LIMIT @max")
                .With("@max", Math.Max(1, max));
            var dead = new List<DeadLetter>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string? title;
                try
                {
                    title = reader.GetString(1) == ReportKind ? ReadReport(reader.GetString(6)).Title : Describe(AlertPayload.Deserialize(reader.GetString(6)));
                }
                catch (JsonException)
                {
                    title = null; // Listing must work even for a row whose payload cannot be read.
                }
                dead.Add(new DeadLetter(reader.GetString(0), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), title,
                    reader.IsDBNull(7) ? null : reader.GetString(7), _dialect.ReadTimestampOrNull(reader, 8), _dialect.ReadTimestamp(reader, 9)));
            }
            return dead;
        }, cancellationToken);

    public Task<int> RetryDeadAsync(string? deliveryId, CancellationToken cancellationToken) =>
        database.RunAsync("Retrying dead letters", async connection =>
        {
            // in_doubt stays: a dead letter may have died after a send whose outcome was unknown.
            await using var command = _dialect.BindNow(connection.Command(
                $"UPDATE alert_outbox SET state = 'pending', next_attempt_at = {_dialect.Now}, attempts = 0, failing_since = NULL, dead_at = NULL, " +
                "wait_reason = 'queued again by an admin' WHERE state = 'dead'" + (deliveryId is null ? "" : " AND delivery_id = @delivery_id")), database.Time);
            if (deliveryId is not null) command.With("@delivery_id", deliveryId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<int> PruneDeliveredAsync(TimeSpan olderThan, int batchSize, CancellationToken cancellationToken) =>
        database.RunAsync("Pruning delivered alerts", async connection =>
        {
            await using var command = _dialect.BindNow(connection.Command(
                    "DELETE FROM alert_outbox WHERE delivery_id IN (SELECT delivery_id FROM alert_outbox " +
                    $"WHERE state = 'sent' AND sent_at < {_dialect.NowPlus("@age")} " +
                    // A change collected for a digest stays until a digest has taken it (a bot stopped longer than the retention).
                    $"AND NOT (external_id = '{IAlertOutbox.DigestExternalId}' AND digest_id IS NULL) ORDER BY sent_at LIMIT @batch)"), database.Time)
                .With("@age", -olderThan.TotalSeconds).With("@batch", Math.Max(1, batchSize));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<IReadOnlyList<OutboxPlatformCount>> CountByPlatformAsync(CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<OutboxPlatformCount>>("Counting outbox rows by platform", async connection =>
        {
            await using var command = connection.Command(CountByPlatformSql);
            var counts = new List<OutboxPlatformCount>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                counts.Add(new OutboxPlatformCount(reader.GetString(0), reader.GetString(1), Long(reader, 2)));
            return counts;
        }, cancellationToken);

    public Task<IReadOnlyList<AlertMessage>> ListWithheldAsync(string platform, string channelId, CaseKey? caseKey, DateTimeOffset from, DateTimeOffset to, int max,
        CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<AlertMessage>>("Listing withheld alerts", async connection =>
        {
            await using var command = connection.Command(
                    "SELECT delivery_id, payload_json FROM alert_outbox WHERE platform = @platform AND channel_id = @channel_id AND external_id = @withheld " +
                    "AND created_at >= @from AND created_at <= @to" + (caseKey is null ? "" : " AND case_source = @case_source AND case_id = @case_id") +
                    " ORDER BY created_at DESC, delivery_id LIMIT @max")
                .With("@platform", platform).With("@channel_id", channelId).With("@withheld", IAlertOutbox.WithheldExternalId)
                .With("@from", _dialect.Timestamp(from)).With("@to", _dialect.Timestamp(to)).With("@max", Math.Max(1, max));
            if (caseKey is { } key) command.With("@case_source", key.Source).With("@case_id", key.Id);
            var alerts = new List<AlertMessage>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                alerts.Add(AlertPayload.Deserialize(reader.GetString(1)).ToMessage(reader.GetString(0), platform, channelId));
            }
            return alerts;
        }, cancellationToken);

    public Task<OutboxRow?> FindAsync(string deliveryId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading an outbox row", async connection =>
        {
            await using var command = connection.Command(
                    "SELECT delivery_id, platform, channel_id, case_source, case_id, state, attempts, last_error, external_id, created_at, sent_at " +
                    "FROM alert_outbox WHERE delivery_id = @delivery_id")
                .With("@delivery_id", deliveryId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            return new OutboxRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                ParseState(reader.GetString(5)),
                Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                _dialect.ReadTimestamp(reader, 9),
                _dialect.ReadTimestampOrNull(reader, 10));
        }, cancellationToken);

    /// <summary>"Amir Amiry: detained → released", the line /alerts dead shows for an alert.</summary>
    private static string Describe(AlertPayload payload) => $"{payload.Case.Name}: {payload.OldStatus.ToWire()} → {payload.NewStatus.ToWire()}";

    private DbCommand Fenced(DbConnection connection, DbTransaction? transaction, string sql, string deliveryId, long term) =>
        _dialect.BindNow(connection.Command(sql, transaction), database.Time).With("@delivery_id", deliveryId).With("@term", term);

    private Task<bool> ExecuteFencedAsync(string operation, string sql, string deliveryId, long term, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        database.RunAsync(operation, async connection =>
        {
            await using var command = Fenced(connection, null, sql, deliveryId, term);
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }, cancellationToken);

    private static long Long(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    internal static string WriteReport(AdminReport report)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("title", report.Title);
            writer.WriteStartArray("lines");
            foreach (var line in report.Lines) writer.WriteStringValue(line);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static AdminReport ReadReport(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var lines = root.TryGetProperty("lines", out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray().Select(l => l.GetString() ?? "").ToArray()
            : [];
        return new AdminReport(root.GetProperty("title").GetString() ?? "", lines);
    }

    private static OutboxState ParseState(string state) => state switch
    {
        "pending" => OutboxState.Pending,
        "sending" => OutboxState.Sending,
        "sent" => OutboxState.Sent,
        "dead" => OutboxState.Dead,
        _ => throw new InvalidDataException($"Outbox state '{state}' is not one of pending|sending|sent|dead."),
    };
}
