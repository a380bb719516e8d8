using DetaineeAlertBot.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DetaineeAlertBot.Hosting;

/// <summary>Binds Storage:* and registers the stores for the chosen provider.</summary>
public static class StorageSetup
{
    public static WebApplicationBuilder AddBotStorage(this WebApplicationBuilder builder)
    {
        var options = new StorageOptions();
        builder.Configuration.GetSection(StorageOptions.SectionName).Bind(options);
        var failures = Validate(options).ToArray();
        if (failures.Length > 0) throw new OptionsValidationException(StorageOptions.SectionName, typeof(StorageOptions), failures);

        if (IsSqlite(options))
        {
            // A relative SQLite path means "next to config/", wherever the bot was started from.
            var paths = new BotPaths(builder.Environment.ContentRootPath);
            var connection = new SqliteConnectionStringBuilder(options.ConnectionString);
            if (!string.IsNullOrEmpty(connection.DataSource) && connection.DataSource != ":memory:")
            {
                connection.DataSource = paths.Resolve(connection.DataSource);
            }
            options.ConnectionString = connection.ToString();
        }
        builder.Services.AddSingleton(options);
        builder.Services.AddStorage(options);
        return builder;
    }

    public static bool IsSqlite(StorageOptions options) => string.Equals(options.Provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<string> Validate(StorageOptions options)
    {
        var sqlite = IsSqlite(options);
        var postgres = string.Equals(options.Provider, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase);
        if (!sqlite && !postgres)
        {
            yield return $"Storage:Provider '{options.Provider}' is not supported: use \"Sqlite\" (default, one instance) or \"Postgres\".";
            yield break;
        }
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            yield return sqlite
                ? $"Storage:ConnectionString is empty: use e.g. \"{StorageOptions.DefaultConnectionString}\"."
                : "Storage:ConnectionString is empty: use e.g. \"Host=127.0.0.1;Username=bot;Password=...;Database=detaineebot\".";
            yield break;
        }
        string? problem = null;
        try
        {
            if (sqlite)
            {
                var parsed = new SqliteConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(parsed.DataSource)) problem = "it names no Data Source (the database file)";
            }
            else
            {
                var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                if (string.IsNullOrWhiteSpace(parsed.Host)) problem = "it names no Host";
            }
        }
        catch (ArgumentException ex)
        {
            problem = ex.Message;
        }
        if (problem is not null)
        {
            yield return $"Storage:ConnectionString is not a valid {(sqlite ? "SQLite" : "PostgreSQL")} connection string ({problem}): "
                + (sqlite ? $"use e.g. \"{StorageOptions.DefaultConnectionString}\"." : "use e.g. \"Host=127.0.0.1;Username=bot;Password=...;Database=detaineebot\".");
        }
    }
}
