using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>WatchlistStore keeps watchlist rows; at most one active row per (platform, channel, case source, case id),
/// enforced by a partial unique index, and removal only stamps removed_by/removed_at.</summary>
public sealed class WatchlistStore(StorageDatabase database) : IWatchlistStore
{
    private const string Key = "platform = @platform AND channel_id = @channel_id AND case_source = @case_source AND case_id = @case_id";

    private const string Insert =
        "INSERT INTO watchlist (platform, channel_id, case_source, case_id, added_by, added_at) ";

    // Conflict target is the partial unique index of active rows: a concurrent duplicate add is a no-op, not an error.
    private const string OnActiveConflict =
        " ON CONFLICT (platform, channel_id, case_source, case_id) WHERE removed_at IS NULL DO NOTHING";

    private readonly SqlDialect _dialect = database.Dialect;

    public Task<WatchAddResult> AddAsync(WatchlistEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return database.RunAsync("Adding a watchlist entry", async connection =>
        {
            await using var command = connection.Command(
                Insert + "VALUES (@platform, @channel_id, @case_source, @case_id, @added_by, @added_at)" + OnActiveConflict);
            AddEntryParameters(command, entry);
            var inserted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return inserted == 1 ? WatchAddResult.Added : WatchAddResult.AlreadyWatched;
        }, cancellationToken);
    }

    public Task<bool> RemoveAsync(string platform, string channelId, CaseKey caseKey, string removedBy, DateTimeOffset removedAt, CancellationToken cancellationToken) =>
        database.RunAsync("Removing a watchlist entry", async connection =>
        {
            await using var command = connection.Command(
                    $"UPDATE watchlist SET removed_by = @removed_by, removed_at = @removed_at WHERE {Key} AND removed_at IS NULL")
                .With("@platform", platform)
                .With("@channel_id", channelId)
                .With("@case_source", caseKey.Source)
                .With("@case_id", caseKey.Id)
                .With("@removed_by", removedBy)
                .With("@removed_at", _dialect.Timestamp(removedAt));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    public Task<IReadOnlyList<WatchlistEntry>> ListPlatformAsync(string platform, int max, CancellationToken cancellationToken) =>
        ReadEntriesAsync("Listing a platform's watchlists",
            "WHERE platform = @platform AND removed_at IS NULL ORDER BY channel_id, added_at, id LIMIT @max",
            command => command.With("@platform", platform).With("@max", Math.Max(1, max)), cancellationToken);

    public Task<IReadOnlyList<WatchlistEntry>> ListAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        ReadEntriesAsync("Listing a watchlist",
            "WHERE platform = @platform AND channel_id = @channel_id AND removed_at IS NULL ORDER BY added_at, id",
            command => command.With("@platform", platform).With("@channel_id", channelId), cancellationToken);

    /// <summary>Entries selected by <paramref name="where"/> (with its ORDER BY), parameters bound by <paramref name="bind"/>.</summary>
    private Task<IReadOnlyList<WatchlistEntry>> ReadEntriesAsync(string operation, string where, Action<System.Data.Common.DbCommand> bind, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<WatchlistEntry>>(operation, async connection =>
        {
            await using var command = connection.Command("SELECT platform, channel_id, case_source, case_id, added_by, added_at FROM watchlist " + where);
            bind(command);
            var entries = new List<WatchlistEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new WatchlistEntry(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    _dialect.ReadTimestamp(reader, 5)));
            }
            return entries;
        }, cancellationToken);

    public Task<int> SeedAsync(IReadOnlyList<WatchlistEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0) return Task.FromResult(0);
        return database.RunInTransactionAsync("Seeding configured watchlist entries", async (connection, transaction) =>
        {
            // Any row ever stored for the key, active or removed, blocks the seed: an admin's removal must outlive
            // the configuration that keeps listing the entry.
            await using var command = connection.Command(
                Insert + "SELECT @platform, @channel_id, @case_source, @case_id, @added_by, @added_at " +
                $"WHERE NOT EXISTS (SELECT 1 FROM watchlist WHERE {Key})" + OnActiveConflict, transaction);
            var inserted = 0;
            foreach (var entry in entries)
            {
                command.Parameters.Clear();
                AddEntryParameters(command, entry);
                inserted += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return inserted;
        }, cancellationToken);
    }

    public Task<int> BindAnySourceAsync(string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        return database.RunInTransactionAsync("Binding watchlist entries stored without a source", async (connection, transaction) =>
        {
            // An active '*' entry whose concrete twin is already active would break the one-active-row rule: retire it.
            await using (var retire = connection.Command(
                    "UPDATE watchlist SET removed_by = 'system (bound to its source)', removed_at = @now " +
                    "WHERE case_source = '*' AND removed_at IS NULL AND EXISTS (SELECT 1 FROM watchlist twin WHERE twin.platform = watchlist.platform " +
                    "AND twin.channel_id = watchlist.channel_id AND twin.case_source = @source AND twin.case_id = watchlist.case_id AND twin.removed_at IS NULL)",
                    transaction)
                .With("@now", _dialect.Timestamp(now))
                .With("@source", source))
            {
                await retire.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using var bind = connection.Command("UPDATE watchlist SET case_source = @source WHERE case_source = '*'", transaction)
                .With("@source", source);
            return await bind.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<int> CountAnySourceAsync(CancellationToken cancellationToken) =>
        database.RunAsync("Counting watchlist entries stored without a source", async connection =>
        {
            await using var command = connection.Command("SELECT COUNT(*) FROM watchlist WHERE case_source = '*' AND removed_at IS NULL");
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellationToken);

    private void AddEntryParameters(System.Data.Common.DbCommand command, WatchlistEntry entry) =>
        command.With("@platform", entry.Platform)
            .With("@channel_id", entry.ChannelId)
            .With("@case_source", entry.CaseSource)
            .With("@case_id", entry.CaseId)
            .With("@added_by", entry.AddedBy)
            .With("@added_at", _dialect.Timestamp(entry.AddedAt));
}
