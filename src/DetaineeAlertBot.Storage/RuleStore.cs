using System.Data.Common;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>RuleStore keeps watch_rules rows. The case store reads the active ones inside each sync's transaction to
/// route alerts (<see cref="ReadActiveAsync"/>).</summary>
public sealed class RuleStore(StorageDatabase database) : IRuleStore
{
    private const string Columns = "id, platform, channel_id, country, nationality, held_by, source, statuses, added_by, added_at";

    // Equality of every field, NULL as empty, for "the same rule" (the channel's active one, or any one ever stored).
    private const string SameRule =
        "platform = @platform AND channel_id = @channel_id AND statuses = @statuses " +
        "AND COALESCE(country, '') = @same_country AND COALESCE(nationality, '') = @same_nationality " +
        "AND COALESCE(held_by, '') = @same_held_by AND COALESCE(source, '') = @same_source";

    private readonly SqlDialect _dialect = database.Dialect;

    public Task<(WatchRule Rule, bool Added)> AddAsync(WatchRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return database.RunInTransactionAsync("Adding a rule", async (connection, transaction) =>
        {
            await using (var existing = Bind(connection.Command($"SELECT {Columns} FROM watch_rules WHERE {SameRule} AND removed_at IS NULL", transaction), rule))
            {
                var found = await ReadAsync(existing, cancellationToken).ConfigureAwait(false);
                if (found.Count > 0) return (found[0], false);
            }
            await using var insert = Bind(connection.Command(
                "INSERT INTO watch_rules (platform, channel_id, country, nationality, held_by, source, statuses, added_by, added_at) " +
                "VALUES (@platform, @channel_id, @country, @nationality, @held_by, @source, @statuses, @added_by, @added_at) RETURNING id", transaction), rule)
                .With("@added_by", rule.AddedBy).With("@added_at", _dialect.Timestamp(rule.AddedAt));
            var id = Convert.ToInt64(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
            return (rule with { Id = id }, true);
        }, cancellationToken);
    }

    public Task<bool> RemoveAsync(string platform, string channelId, long id, string removedBy, DateTimeOffset removedAt, CancellationToken cancellationToken) =>
        database.RunAsync("Removing a rule", async connection =>
        {
            await using var command = connection.Command(
                    "UPDATE watch_rules SET removed_by = @removed_by, removed_at = @removed_at " +
                    "WHERE id = @id AND platform = @platform AND channel_id = @channel_id AND removed_at IS NULL")
                .With("@removed_by", removedBy).With("@removed_at", _dialect.Timestamp(removedAt))
                .With("@id", id).With("@platform", platform).With("@channel_id", channelId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    public Task<IReadOnlyList<WatchRule>> ListAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        database.RunAsync("Listing a channel's rules", async connection =>
        {
            await using var command = connection.Command(
                    $"SELECT {Columns} FROM watch_rules WHERE platform = @platform AND channel_id = @channel_id AND removed_at IS NULL ORDER BY id")
                .With("@platform", platform).With("@channel_id", channelId);
            return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<int> SeedAsync(IReadOnlyList<WatchRule> rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Count == 0) return Task.FromResult(0);
        return database.RunInTransactionAsync("Seeding configured rules", async (connection, transaction) =>
        {
            var inserted = 0;
            foreach (var rule in rules)
            {
                await using var command = Bind(connection.Command(
                    "INSERT INTO watch_rules (platform, channel_id, country, nationality, held_by, source, statuses, added_by, added_at) " +
                    "SELECT @platform, @channel_id, @country, @nationality, @held_by, @source, @statuses, @added_by, @added_at " +
                    $"WHERE NOT EXISTS (SELECT 1 FROM watch_rules WHERE {SameRule})", transaction), rule)
                    .With("@added_by", rule.AddedBy).With("@added_at", _dialect.Timestamp(rule.AddedAt));
                inserted += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return inserted;
        }, cancellationToken);
    }

    /// <summary>Every active rule, inside the caller's transaction (the case store routes a sync's alerts with them).</summary>
    internal static async Task<IReadOnlyList<WatchRule>> ReadActiveAsync(SqlDialect dialect, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.Command($"SELECT {Columns} FROM watch_rules WHERE removed_at IS NULL ORDER BY id", transaction);
        return await ReadAsync(dialect, command, cancellationToken).ConfigureAwait(false);
    }

    private Task<IReadOnlyList<WatchRule>> ReadAsync(DbCommand command, CancellationToken cancellationToken) => ReadAsync(_dialect, command, cancellationToken);

    private static async Task<IReadOnlyList<WatchRule>> ReadAsync(SqlDialect dialect, DbCommand command, CancellationToken cancellationToken)
    {
        var rules = new List<WatchRule>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rules.Add(new WatchRule(
                Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2),
                Text(reader, 3), Text(reader, 4), Text(reader, 5), Text(reader, 6),
                WatchRule.ParseStatuses(reader.GetString(7), out _), reader.GetString(8), dialect.ReadTimestamp(reader, 9)));
        }
        return rules;
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static DbCommand Bind(DbCommand command, WatchRule rule) => command
        .With("@platform", rule.Platform).With("@channel_id", rule.ChannelId)
        .With("@country", (object?)rule.Country ?? DBNull.Value).With("@nationality", (object?)rule.Nationality ?? DBNull.Value)
        .With("@held_by", (object?)rule.HeldBy ?? DBNull.Value).With("@source", (object?)rule.Source ?? DBNull.Value)
        .With("@statuses", string.Join(",", rule.Statuses.Select(s => s.ToWire())))
        .With("@same_country", rule.Country ?? "").With("@same_nationality", rule.Nationality ?? "")
        .With("@same_held_by", rule.HeldBy ?? "").With("@same_source", rule.Source ?? "");
}
