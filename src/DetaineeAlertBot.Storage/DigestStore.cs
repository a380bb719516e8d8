using System.Data.Common;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>DigestStore keeps digest schedules (channel_digests) and queues digests from the outbox rows a digest channel
/// collected (external_id 'digest', digest_id NULL until a digest takes them).</summary>
public sealed class DigestStore(StorageDatabase database) : IDigestStore
{
    private const string Channel = "platform = @platform AND channel_id = @channel_id";

    private static readonly string Collected = CollectedRows("");

    private readonly SqlDialect _dialect = database.Dialect;

    public Task<ChannelDigest?> GetAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a channel's digest schedule", async connection =>
        {
            await using var command = connection.Command($"SELECT platform, channel_id, schedule, set_by, set_at, last_due_at, 0 FROM channel_digests WHERE {Channel}")
                .With("@platform", platform).With("@channel_id", channelId);
            return (await ReadDigestsAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        }, cancellationToken);

    public Task SetAsync(string platform, string channelId, DigestSchedule? schedule, string setBy, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync("Setting a channel's digest schedule", async connection =>
        {
            // last_due_at stays: periods already queued stay queued, and the new schedule's first digest is its next
            // occurrence after now (ChannelDigest.DueFrom).
            await using var command = connection.Command(
                    "INSERT INTO channel_digests (platform, channel_id, schedule, set_by, set_at) VALUES (@platform, @channel_id, @schedule, @set_by, @set_at) " +
                    "ON CONFLICT (platform, channel_id) DO UPDATE SET schedule = excluded.schedule, set_by = excluded.set_by, set_at = excluded.set_at")
                .With("@platform", platform).With("@channel_id", channelId).With("@schedule", Wire(schedule))
                .With("@set_by", setBy).With("@set_at", _dialect.Timestamp(at));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<int> SeedAsync(IReadOnlyList<(string Platform, string ChannelId, DigestSchedule? Schedule)> seeds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0) return Task.FromResult(0);
        return database.RunInTransactionAsync("Seeding digest schedules", async (connection, transaction) =>
        {
            var inserted = 0;
            foreach (var (platform, channelId, schedule) in seeds)
            {
                await using var command = connection.Command(
                        "INSERT INTO channel_digests (platform, channel_id, schedule, set_by, set_at) VALUES (@platform, @channel_id, @schedule, 'config', @set_at) " +
                        "ON CONFLICT (platform, channel_id) DO NOTHING", transaction)
                    .With("@platform", platform).With("@channel_id", channelId).With("@schedule", Wire(schedule)).With("@set_at", _dialect.Timestamp(at));
                inserted += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return inserted;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ChannelDigest>> ListActiveAsync(int max, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<ChannelDigest>>("Listing digest channels", async connection =>
        {
            // Channels with a schedule, and any channel still holding collected changes (its schedule turned off while a
            // delivery was collecting, or a row written by an older version): their changes must still reach it. The
            // collected rows are counted once, grouped by channel (the partial index ix_alert_outbox_collected), not by a
            // subquery per digest channel: PostgreSQL, with no statistics for the few rows of channel_digests, costed those
            // subqueries per 469 guessed channels and JIT-compiled the statement each time (150 ms for a 7 ms query).
            await using var command = connection.Command(
                    "SELECT d.platform, d.channel_id, d.schedule, d.set_by, d.set_at, d.last_due_at, COALESCE(c.collected, 0) " +
                    "FROM channel_digests d LEFT JOIN (SELECT o.platform, o.channel_id, COUNT(*) AS collected FROM alert_outbox o " +
                    $"WHERE {CollectedRows("o.")} GROUP BY o.platform, o.channel_id) c ON c.platform = d.platform AND c.channel_id = d.channel_id " +
                    "WHERE d.schedule <> 'off' OR c.collected > 0 " +
                    "ORDER BY d.platform, d.channel_id LIMIT @max")
                .With("@max", Math.Max(1, max));
            return await ReadDigestsAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<bool> IsCollectingAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a channel's digest schedule", connection => IsCollectingAsync(connection, platform, channelId, cancellationToken), cancellationToken);

    /// <summary>On the caller's connection: the card store reads it with a delivery's other state in one round trip.</summary>
    internal static async Task<bool> IsCollectingAsync(DbConnection connection, string platform, string channelId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT 1 FROM channel_digests WHERE {Channel} AND schedule <> 'off'")
            .With("@platform", platform).With("@channel_id", channelId);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    public Task<DigestQueueResult> QueueAsync(string platform, string channelId, DateTimeOffset dueAt,
        Func<IReadOnlyList<AlertMessage>, DateTimeOffset, AdminReport?> render, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(render);
        return database.RunInTransactionAsync("Queueing a digest", async (connection, transaction) =>
        {
            // 1. Claim the period: one statement, so two instances (or a restart at the scheduled minute) queue it once.
            //    The old last_due_at is the period's start, read under the same row lock (Postgres) or file lock (SQLite).
            DateTimeOffset since;
            await using (var read = connection.Command($"SELECT set_at, last_due_at FROM channel_digests WHERE {Channel}{_dialect.ForUpdate}", transaction)
                             .With("@platform", platform).With("@channel_id", channelId))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return new DigestQueueResult(DigestQueueOutcome.AlreadyDone, 0, null);
                since = _dialect.ReadTimestampOrNull(reader, 1) ?? _dialect.ReadTimestamp(reader, 0);
            }
            await using (var claim = connection.Command(
                                 $"UPDATE channel_digests SET last_due_at = @due WHERE {Channel} AND (last_due_at IS NULL OR last_due_at < @due)", transaction)
                             .With("@platform", platform).With("@channel_id", channelId).With("@due", _dialect.Timestamp(dueAt)))
            {
                if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0) return new DigestQueueResult(DigestQueueOutcome.AlreadyDone, 0, null);
            }

            // 2. Take what the channel collected and no digest has taken, in one statement: exactly the rows it returns are
            //    this digest's. A change collected while this runs commits after it (SQLite: one writer; Postgres: the
            //    statement takes only rows committed when it ran) and waits for the next digest.
            var digestId = DeliveryIds.New();
            var taken = new List<(long Seq, string DeliveryId, string Payload)>();
            await using (var take = connection.Command(
                                 $"UPDATE alert_outbox SET digest_id = @digest_id WHERE {Channel} AND {Collected} RETURNING seq, delivery_id, payload_json", transaction)
                             .With("@platform", platform).With("@channel_id", channelId).With("@digest_id", digestId))
            await using (var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    taken.Add((Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2)));
            }
            // RETURNING has no order of its own: oldest first, as they were queued.
            taken.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            var changes = ReadChanges(taken, platform, channelId);
            if (render(changes, since) is not { } report)
            {
                // Rolled back: rows marked taken by a digest that is never written would be lost.
                if (changes.Count > 0) throw new InvalidOperationException($"The digest of {changes.Count} collected change(s) rendered as nothing.");
                return new DigestQueueResult(DigestQueueOutcome.Empty, 0, null);
            }

            // 3. The digest row that took them.
            var incident = $"digest:{platform}:{channelId}:{dueAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            await AlertOutbox.InsertReportAsync(database, connection, transaction, digestId, new ReportTarget(platform, channelId), incident,
                AlertOutbox.WriteReport(report), cancellationToken).ConfigureAwait(false);
            await AlertOutbox.NotifyQueuedAsync(database, connection, transaction, cancellationToken).ConfigureAwait(false);
            return new DigestQueueResult(DigestQueueOutcome.Queued, changes.Count, digestId);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AlertMessage>> ListCollectedAsync(string platform, string channelId, int max, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<AlertMessage>>("Listing collected changes", async connection =>
        {
            await using var command = connection.Command($"SELECT delivery_id, payload_json FROM alert_outbox WHERE {Channel} AND {Collected} ORDER BY seq LIMIT @max")
                .With("@platform", platform).With("@channel_id", channelId).With("@max", Math.Max(1, max));
            var changes = new List<AlertMessage>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                changes.Add(AlertPayload.Deserialize(reader.GetString(1)).ToMessage(reader.GetString(0), platform, channelId));
            return changes;
        }, cancellationToken);

    /// <summary>The taken rows' payloads as alerts, in their order. Both providers hand back an UPDATE's RETURNING rows only
    /// once the whole update is done, so reading thousands of payloads waits for nothing else: they are read on every
    /// core. A payload that cannot be read fails the digest as before, with its own exception.</summary>
    private static List<AlertMessage> ReadChanges(List<(long Seq, string DeliveryId, string Payload)> taken, string platform, string channelId)
    {
        var changes = new AlertMessage[taken.Count];
        if (taken.Count < ParallelReadFrom)
        {
            for (var i = 0; i < changes.Length; i++) changes[i] = AlertPayload.Deserialize(taken[i].Payload).ToMessage(taken[i].DeliveryId, platform, channelId);
            return [.. changes];
        }
        try
        {
            Parallel.For(0, changes.Length, i => changes[i] = AlertPayload.Deserialize(taken[i].Payload).ToMessage(taken[i].DeliveryId, platform, channelId));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
        return [.. changes];
    }

    /// <summary>Fewer taken rows than this are read on one thread.</summary>
    internal const int ParallelReadFrom = 1000;

    private async Task<IReadOnlyList<ChannelDigest>> ReadDigestsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var digests = new List<ChannelDigest>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // A schedule stored by a newer version (or edited by hand) that this one cannot read counts as off, so its
            // collected changes still go out.
            DigestSchedule.TryParse(reader.GetString(2), out var schedule, out _);
            digests.Add(new ChannelDigest(reader.GetString(0), reader.GetString(1), schedule, reader.GetString(3), _dialect.ReadTimestamp(reader, 4),
                _dialect.ReadTimestampOrNull(reader, 5), Convert.ToInt64(reader.GetValue(6), System.Globalization.CultureInfo.InvariantCulture)));
        }
        return digests;
    }

    /// <summary>Rows collected for a digest that no digest has taken (the partial index ix_alert_outbox_collected).</summary>
    private static string CollectedRows(string alias) =>
        $"{alias}external_id = '{IAlertOutbox.DigestExternalId}' AND {alias}digest_id IS NULL AND {alias}kind <> 'report'";

    private static string Wire(DigestSchedule? schedule) => schedule?.ToString() ?? DigestSchedule.Off;
}
