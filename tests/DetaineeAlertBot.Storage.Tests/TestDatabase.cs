using System.Globalization;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Storage.Sql;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>The providers every store test runs against: SQLite always, Postgres when DETAINEEBOT_TEST_POSTGRES holds
/// an Npgsql connection string (a server where we may create and drop databases).</summary>
public static class Providers
{
    public const string PostgresVariable = "DETAINEEBOT_TEST_POSTGRES";

    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    public static TheoryData<string> All
    {
        get
        {
            var providers = new TheoryData<string> { StorageOptions.Sqlite };
            if (PostgresConnectionString is not null) providers.Add(StorageOptions.Postgres);
            return providers;
        }
    }
}

/// <summary>TestDatabase is a fresh, migrated database of one provider: a temp SQLite file, or a Postgres database
/// with a random name, dropped on dispose so parallel runs never share state.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private readonly string? _sqliteDirectory;
    private readonly string? _postgresDatabase;

    private TestDatabase(StorageOptions options, string? sqliteDirectory, string? postgresDatabase)
    {
        Options = options;
        _sqliteDirectory = sqliteDirectory;
        _postgresDatabase = postgresDatabase;
        Database = StorageDatabase.Create(options, Time);
        Cases = new CaseStore(Database);
        Watchlists = new WatchlistStore(Database);
        Outbox = new AlertOutbox(Database);
        Cards = new CardStore(Database);
        Digests = new DigestStore(Database);
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public StorageOptions Options { get; }

    public StorageDatabase Database { get; private set; }

    public CaseStore Cases { get; private set; }

    public WatchlistStore Watchlists { get; private set; }

    public AlertOutbox Outbox { get; private set; }

    public CardStore Cards { get; private set; }

    public DigestStore Digests { get; private set; }

    public static async Task<TestDatabase> CreateAsync(string provider, bool migrate = true)
    {
        TestDatabase database;
        if (provider == StorageOptions.Sqlite)
        {
            var directory = Path.Combine(Path.GetTempPath(), "detainee-bot-tests", Guid.NewGuid().ToString("N"));
            var options = new StorageOptions { Provider = provider, ConnectionString = $"Data Source={Path.Combine(directory, "bot.db")}" };
            database = new TestDatabase(options, directory, null);
        }
        else
        {
            var admin = Providers.PostgresConnectionString
                ?? throw new InvalidOperationException($"{Providers.PostgresVariable} is not set; Postgres rows should not have been generated.");
            var name = "detainee_bot_test_" + Guid.NewGuid().ToString("N")[..16];
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
            // A session time zone far from UTC, so a timestamp stored or read in local time shows up as a wrong value.
            var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, Timezone = "Asia/Kolkata" };
            database = new TestDatabase(new StorageOptions { Provider = provider, ConnectionString = builder.ToString() }, null, name);
        }
        if (migrate) await database.Cases.MigrateAsync(CancellationToken.None);
        return database;
    }

    /// <summary>Drops every connection and opens the same database again, as a restarted process would.</summary>
    public async Task ReopenAsync()
    {
        await Database.DisposeAsync();
        Database = StorageDatabase.Create(Options, Time);
        Cases = new CaseStore(Database);
        Watchlists = new WatchlistStore(Database);
        Outbox = new AlertOutbox(Database);
        Cards = new CardStore(Database);
        Digests = new DigestStore(Database);
    }

    /// <summary>One value from raw SQL, to look at rows the ports do not expose.</summary>
    public async Task<long> CountAsync(string sql)
    {
        await using var connection = await Database.Dialect.OpenAsync(CancellationToken.None);
        await using var command = connection.Command(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>One text value from raw SQL (null for no row or NULL).</summary>
    public async Task<string?> TextAsync(string sql)
    {
        await using var connection = await Database.Dialect.OpenAsync(CancellationToken.None);
        await using var command = connection.Command(sql);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Runs raw SQL, to put rows into states the ports cannot reach (an older schema's rows).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await Database.Dialect.OpenAsync(CancellationToken.None);
        await using var command = connection.Command(sql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>True for SQLite, whose "database clock" is <see cref="Time"/>; Postgres uses its own now().</summary>
    public bool ClockIsFake => Options.Provider == StorageOptions.Sqlite;

    /// <summary>Moves the fake clock forward to <paramref name="at"/> (never back). Only SQLite reads it.</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        if (at > Time.GetUtcNow()) Time.SetUtcNow(at);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_sqliteDirectory is not null && Directory.Exists(_sqliteDirectory)) Directory.Delete(_sqliteDirectory, recursive: true);
        if (_postgresDatabase is not null)
        {
            await using var connection = new NpgsqlConnection(Providers.PostgresConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresDatabase} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Builders for cases and plans, so each test states only what it is about.</summary>
public static class Make
{
    public const string Source = "feed";

    public static CaseRecord Case(string id, CaseStatus status, string source = Source, string? name = null) => new()
    {
        Source = source,
        Id = id,
        Name = name ?? $"Person {id}",
        Aliases = [$"Alias {id}", "Ünïcode Ålias"],
        Status = status,
        StatusSince = new DateOnly(2024, 12, 1),
        Nationality = "US",
        Country = "Afghanistan",
        HeldBy = "Taliban",
        Location = "Kabul",
        Summary = "Detained at a checkpoint.",
        SourceUrl = $"https://example.org/cases/{id}",
        UpdatedAt = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero),
    };

    public static SyncPlan Baseline(DateTimeOffset at, params CaseRecord[] cases) =>
        new(cases.Length > 0 ? cases[0].Source : Source, at, true, cases.Select(c => new CaseUpsert(c, ChangeKind.FirstSeen, null)).ToArray(), [], []);

    public static SyncPlan Plan(DateTimeOffset at, params CaseUpsert[] upserts) => new(Source, at, false, upserts, [], []);

    public static CaseUpsert StatusChange(CaseRecord incoming, CaseStatus previous) => new(incoming, ChangeKind.StatusChanged, previous);
}
