using System.Globalization;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>AlertOutbox is the alert_outbox table as a leased work queue. Rows move pending → sending (claimed with a
/// lease) → sent | pending again (retry) | dead; a sending row whose lease ran out is claimable again.</summary>
public sealed class AlertOutbox(StorageDatabase database) : IAlertOutbox
{
    private const string OldestFirst = "created_at, history_id, platform, channel_id";

    private readonly SqlDialect _dialect = database.Dialect;

    public Task<IReadOnlyList<AlertMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        if (max <= 0) return Task.FromResult<IReadOnlyList<AlertMessage>>([]);
        // Postgres: SKIP LOCKED lets concurrent claimers take disjoint rows. SQLite: the write transaction
        // (BEGIN IMMEDIATE) runs claimers one after another, so the second sees the first one's leases.
        var sql =
            "UPDATE alert_outbox SET state = 'sending', lease_owner = @owner, lease_until = @lease_until, attempts = attempts + 1 " +
            "WHERE delivery_id IN (SELECT delivery_id FROM alert_outbox " +
            "WHERE (state = 'pending' AND next_attempt_at <= @now) OR (state = 'sending' AND lease_until < @now) " +
            $"ORDER BY {OldestFirst} LIMIT @max{_dialect.ForUpdateSkipLocked}) " +
            "RETURNING delivery_id, platform, channel_id, payload_json, attempts, created_at, history_id";
        return database.RunInTransactionAsync<IReadOnlyList<AlertMessage>>("Claiming due alerts", async (connection, transaction) =>
        {
            await using var command = connection.Command(sql, transaction)
                .With("@owner", owner)
                .With("@lease_until", _dialect.Timestamp(now + lease))
                .With("@now", _dialect.Timestamp(now))
                .With("@max", max);
            var claimed = new List<(DateTimeOffset CreatedAt, long HistoryId, AlertMessage Message)>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var payload = AlertPayload.Deserialize(reader.GetString(3));
                    var message = new AlertMessage(
                        reader.GetString(0), reader.GetString(1), reader.GetString(2), payload.Case, payload.OldStatus, payload.NewStatus,
                        payload.ObservedAt, Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture), payload.OldStatusSince);
                    claimed.Add((_dialect.ReadTimestamp(reader, 5), Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture), message));
                }
            }
            // RETURNING has no order of its own; put the claim back into the order it was chosen in.
            return claimed
                .OrderBy(c => c.CreatedAt).ThenBy(c => c.HistoryId)
                .ThenBy(c => c.Message.Platform, StringComparer.Ordinal).ThenBy(c => c.Message.ChannelId, StringComparer.Ordinal)
                .Select(c => c.Message)
                .ToArray();
        }, cancellationToken);
    }

    public Task MarkSentAsync(string deliveryId, string? externalId, DateTimeOffset sentAt, CancellationToken cancellationToken) =>
        // A repeated MarkSent (or one after another claimer's) keeps the first sent_at and external id.
        ExecuteAsync("Marking an alert sent",
            "UPDATE alert_outbox SET state = 'sent', external_id = @external_id, sent_at = @at, lease_owner = NULL, lease_until = NULL " +
            "WHERE delivery_id = @delivery_id AND state <> 'sent'",
            deliveryId, ("@external_id", externalId), ("@at", _dialect.Timestamp(sentAt)), cancellationToken);

    public Task MarkRetryAsync(string deliveryId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken) =>
        ExecuteAsync("Scheduling an alert retry",
            "UPDATE alert_outbox SET state = 'pending', last_error = @error, next_attempt_at = @at, lease_owner = NULL, lease_until = NULL " +
            "WHERE delivery_id = @delivery_id AND state IN ('pending', 'sending')",
            deliveryId, ("@error", error), ("@at", _dialect.Timestamp(nextAttemptAt)), cancellationToken);

    public Task MarkDeadAsync(string deliveryId, string error, DateTimeOffset at, CancellationToken cancellationToken) =>
        ExecuteAsync("Dead-lettering an alert",
            "UPDATE alert_outbox SET state = 'dead', last_error = @error, dead_at = @at, lease_owner = NULL, lease_until = NULL " +
            "WHERE delivery_id = @delivery_id AND state IN ('pending', 'sending')",
            deliveryId, ("@error", error), ("@at", _dialect.Timestamp(at)), cancellationToken);

    public Task<int> ReleaseAllLeasesAsync(CancellationToken cancellationToken) =>
        database.RunAsync("Releasing alert leases", async connection =>
        {
            await using var command = connection.Command(
                "UPDATE alert_outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'sending'");
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken) =>
        database.RunAsync("Counting outbox rows", async connection =>
        {
            await using var command = connection.Command("SELECT state, COUNT(*) FROM alert_outbox GROUP BY state");
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                counts[reader.GetString(0)] = Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture);
            return new OutboxStats(
                counts.GetValueOrDefault("pending"), counts.GetValueOrDefault("sending"), counts.GetValueOrDefault("sent"), counts.GetValueOrDefault("dead"));
        }, cancellationToken);

    public Task<IReadOnlyList<OutboxPlatformCount>> CountByPlatformAsync(CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<OutboxPlatformCount>>("Counting outbox rows by platform", async connection =>
        {
            await using var command = connection.Command("SELECT platform, state, COUNT(*) FROM alert_outbox GROUP BY platform, state ORDER BY platform, state");
            var counts = new List<OutboxPlatformCount>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                counts.Add(new OutboxPlatformCount(reader.GetString(0), reader.GetString(1), Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture)));
            return counts;
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

    private Task ExecuteAsync(
        string operation, string sql, string deliveryId, (string Name, object? Value) first, (string Name, object? Value) second, CancellationToken cancellationToken) =>
        database.RunAsync(operation, async connection =>
        {
            await using var command = connection.Command(sql)
                .With("@delivery_id", deliveryId)
                .With(first.Name, first.Value)
                .With(second.Name, second.Value);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private static OutboxState ParseState(string state) => state switch
    {
        "pending" => OutboxState.Pending,
        "sending" => OutboxState.Sending,
        "sent" => OutboxState.Sent,
        "dead" => OutboxState.Dead,
        _ => throw new InvalidDataException($"Outbox state '{state}' is not one of pending|sending|sent|dead."),
    };
}
