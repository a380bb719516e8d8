using DetaineeAlertBot.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace DetaineeAlertBot.Hosting;

/// <summary>Binds Storage:* and registers the stores for the chosen provider.</summary>
public static class StorageSetup
{
    public static WebApplicationBuilder AddBotStorage(this WebApplicationBuilder builder)
    {
        builder.Services.AddBotOptions<StorageOptions>(StorageOptions.SectionName)
            .PostConfigure<BotPaths>(ResolveSqlitePath)
            .ValidateWith<StorageOptions, StorageOptionsValidator>();
        builder.Services.AddStorage(provider => provider.GetRequiredService<StorageOptions>());
        return builder;
    }

    /// <summary>A relative SQLite path means "next to config/", wherever the bot was started from. A connection string
    /// that does not parse is left as it is, for <see cref="Validate"/> to name.</summary>
    private static void ResolveSqlitePath(StorageOptions options, BotPaths paths)
    {
        if (!IsSqlite(options) || string.IsNullOrWhiteSpace(options.ConnectionString)) return;
        SqliteConnectionStringBuilder connection;
        try
        {
            connection = new SqliteConnectionStringBuilder(options.ConnectionString);
        }
        catch (ArgumentException)
        {
            return;
        }
        if (!string.IsNullOrEmpty(connection.DataSource) && connection.DataSource != ":memory:")
        {
            connection.DataSource = paths.Resolve(connection.DataSource);
        }
        options.ConnectionString = connection.ToString();
    }

    /// <summary>For registration decisions (which leadership services exist): Storage:Provider as configured, read the
    /// one way (<see cref="BotOptions.Setting"/>); a value that is neither provider fails validation anyway.</summary>
    public static bool ConfiguresSqlite(IConfiguration configuration) =>
        configuration.Setting($"{StorageOptions.SectionName}:Provider") is not { Length: > 0 } provider
        || string.Equals(provider, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase);

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

public sealed class StorageOptionsValidator : BotOptionsValidator<StorageOptions>
{
    protected override IEnumerable<string> Failures(StorageOptions options) => StorageSetup.Validate(options);
}
