using Npgsql;

namespace DetaineeAlertBot.Tests.Cluster;

/// <summary>The storage providers the cluster tests run on: SQLite always (one instance, guarded), PostgreSQL when
/// DETAINEEBOT_TEST_POSTGRES holds an Npgsql connection string (CI sets it; see .ci/run).</summary>
public static class ClusterProviders
{
    public const string PostgresVariable = "DETAINEEBOT_TEST_POSTGRES";

    public static string? PostgresConnectionString =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    public static TheoryData<string> All
    {
        get
        {
            var providers = new TheoryData<string> { "Sqlite" };
            if (PostgresConnectionString is not null) providers.Add("Postgres");
            return providers;
        }
    }
}

public sealed class ClusterProvidersTests
{
    [Fact]
    public void ClusterProviders_InCi_IncludePostgres()
    {
        // The multi-instance tests must not go green on SQLite alone in CI: .ci/run starts a server and sets the variable.
        var providers = ((IEnumerable<object[]>)ClusterProviders.All).Select(row => (string)row[0]).ToArray();

        Assert.Contains("Sqlite", providers);
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Contains("Postgres", providers);
    }
}

/// <summary>A fresh PostgreSQL database with a random name on the test server, dropped (with its connections) on dispose.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private PostgresDatabase(string admin, string name, string connectionString)
    {
        _admin = admin;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var admin = ClusterProviders.PostgresConnectionString
            ?? throw new InvalidOperationException($"{ClusterProviders.PostgresVariable} is not set; Postgres rows should not have been generated.");
        var name = "detainee_cluster_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new PostgresDatabase(admin, name, new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString());
    }

    /// <summary>Ends every session of this database whose application name starts with <paramref name="applicationPrefix"/>,
    /// as a server restart or a network cut would; returns how many.</summary>
    public async Task<int> TerminateSessionsAsync(string applicationPrefix)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @name AND application_name LIKE @prefix", connection);
        command.Parameters.AddWithValue("name", Name);
        command.Parameters.AddWithValue("prefix", applicationPrefix + "%");
        return Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
