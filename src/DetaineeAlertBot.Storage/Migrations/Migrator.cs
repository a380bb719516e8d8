using System.Data.Common;
using System.Globalization;
using System.Reflection;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage.Migrations;

/// <summary>One embedded migration script: Migrations/&lt;Provider&gt;/NNNN_name.sql.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>Migrator applies the provider's embedded scripts that schema_migrations does not list yet, in version
/// order, all in one transaction, recording each version with its applied_at.</summary>
internal static class Migrator
{
    private const string TableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer NOT NULL PRIMARY KEY,
            name        text NOT NULL,
            applied_at  {0} NOT NULL
        )
        """;

    public static IReadOnlyList<Migration> Load(string provider)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"Migrations/{provider}/";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = Path.GetFileNameWithoutExtension(resource[prefix.Length..]);
            var digits = new string(name.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length == 0 || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
                throw new InvalidOperationException($"Migration resource '{resource}' must start with its version number (0001_name.sql).");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Two {provider} migrations share version {duplicate.Key}.");
        return migrations.OrderBy(m => m.Version).ToArray();
    }

    /// <summary>Applies pending migrations; returns the versions applied by this call (empty when up to date).</summary>
    public static Task<IReadOnlyList<int>> MigrateAsync(StorageDatabase database, CancellationToken cancellationToken)
    {
        var dialect = database.Dialect;
        var migrations = Load(dialect.Provider);
        return database.RunInTransactionAsync<IReadOnlyList<int>>("Migrating the database schema", async (connection, transaction) =>
        {
            // The lock comes first so that even creating schema_migrations cannot race another starting process.
            await dialect.LockForMigrationAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var timestampType = dialect.Provider == StorageOptions.Postgres ? "timestamptz" : "text";
            await using (var create = connection.Command(string.Format(CultureInfo.InvariantCulture, TableSql, timestampType), transaction))
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            var applied = new HashSet<int>();
            await using (var select = connection.Command("SELECT version FROM schema_migrations", transaction))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) applied.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
            }

            var now = database.Time.GetUtcNow();
            var done = new List<int>();
            foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)))
            {
                await using (var script = connection.Command(migration.Sql, transaction))
                    await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await using var record = connection.Command(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at)", transaction)
                    .With("@version", migration.Version)
                    .With("@name", migration.Name)
                    .With("@applied_at", dialect.Timestamp(now));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                done.Add(migration.Version);
            }
            return done;
        }, cancellationToken);
    }
}
