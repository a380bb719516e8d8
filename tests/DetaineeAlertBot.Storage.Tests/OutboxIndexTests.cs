using System.Text.RegularExpressions;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>The outbox's counts (health, /alerts stats, the gauges) read only the partial indexes of open and dead rows
/// and the delivered counter, so they cost the same with a million delivered rows as with none. Checked on the plans:
/// SQLite plans from the schema alone; PostgreSQL is asked with sequential scans disabled, so the plan shows an index the
/// query can use (a query that could use none would still show a sequential scan).</summary>
public sealed partial class OutboxIndexTests
{
    /// <summary>Indexes holding only open rows (pending, sending) or only dead ones.</summary>
    private static readonly string[] NotDelivered =
        ["ix_alert_outbox_open_due", "ix_alert_outbox_open_created", "ix_alert_outbox_open_key", "ix_alert_outbox_dead"];

    public static TheoryData<string, string> Queries()
    {
        var data = new TheoryData<string, string>();
        var providers = new List<string> { StorageOptions.Sqlite };
        if (Providers.PostgresConnectionString is not null) providers.Add(StorageOptions.Postgres);
        foreach (var provider in providers)
        {
            data.Add(provider, "stats");
            data.Add(provider, "by platform");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Counts_ReadOnlyIndexesOfOpenAndDeadRows(string provider, string query)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var dialect = db.Database.Dialect;
        var sql = query == "stats" ? AlertOutbox.StatsSql(dialect) : AlertOutbox.CountByPlatformSql;

        var plan = await PlanAsync(db, sql);

        // No step reads the table itself, and every index of alert_outbox it reads holds only open or dead rows.
        Assert.DoesNotContain(plan, step => TableScan().IsMatch(step));
        var indexes = plan.SelectMany(step => OutboxIndex().Matches(step).Select(m => m.Value)).ToArray();
        Assert.NotEmpty(indexes);
        Assert.All(indexes, index => Assert.Contains(index, NotDelivered));
    }

    private static async Task<IReadOnlyList<string>> PlanAsync(TestDatabase db, string sql)
    {
        var dialect = db.Database.Dialect;
        await using var connection = await dialect.OpenAsync(CancellationToken.None);
        var postgres = db.Options.Provider == StorageOptions.Postgres;
        if (postgres)
        {
            await using var off = connection.Command("SET enable_seqscan = off");
            await off.ExecuteNonQueryAsync();
        }
        await using var command = dialect.BindNow(connection.Command((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql), db.Time);
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        // SQLite: id, parent, notused, detail; PostgreSQL: one text column.
        while (await reader.ReadAsync()) steps.Add(reader.GetString(postgres ? 0 : 3));
        return steps;
    }

    /// <summary>A step that reads alert_outbox without an index (SQLite: "SCAN o", PostgreSQL: "Seq Scan on alert_outbox").</summary>
    [GeneratedRegex(@"^\s*(->\s*)?SCAN (alert_outbox|o)( |$)(?!.*USING)|Seq Scan on alert_outbox\b")]
    private static partial Regex TableScan();

    /// <summary>An index of alert_outbox named in a step.</summary>
    [GeneratedRegex(@"\b(ix|ux)_alert_outbox_\w+|\balert_outbox_pkey\b|\bsqlite_autoindex_alert_outbox_\d+")]
    private static partial Regex OutboxIndex();
}
