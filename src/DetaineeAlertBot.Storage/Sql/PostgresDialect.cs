using System.Data.Common;
using System.Net.Sockets;
using Npgsql;

namespace DetaineeAlertBot.Storage.Sql;

/// <summary>PostgresDialect: pooled connections from one NpgsqlDataSource, timestamptz and date columns, row locks
/// for read-then-write, and multi-row VALUES for bulk writes (one round trip per chunk, not per row).</summary>
internal sealed class PostgresDialect : SqlDialect
{
    // pg_advisory_xact_lock key for migrations: "DABotMig" as ASCII, arbitrary but fixed across versions.
    private const long MigrationLockKey = 0x4441_426F_744D_6967;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _endpoint;

    public PostgresDialect(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _endpoint = $"{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? builder.Username}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Provider => StorageOptions.Postgres;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

    public override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        // Two processes starting at once would both see version N missing; the lock makes the second wait and then
        // find it applied. It is released with the transaction.
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        command.Parameters.AddWithValue("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public override object Timestamp(DateTimeOffset value) => value.UtcDateTime;

    public override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public override object Date(DateOnly value) => value;

    public override DateOnly ReadDate(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateOnly>(ordinal);

    public override string InList(string column, string parameterName) => $"{column} = ANY({parameterName})";

    public override object ListValue(IReadOnlyCollection<string> values) => values.ToArray();

    public override string ForUpdate => " FOR UPDATE";

    public override string ForUpdateSkipLocked => " FOR UPDATE SKIP LOCKED";

    // The table's own row type gives every JSON field its column type (text to timestamptz, date, bigint …).
    protected override string JsonRowsSelect(BulkInsert statement, string parameterName) =>
        $"SELECT {string.Join(", ", statement.Columns)} FROM json_populate_recordset(NULL::{statement.Table}, {parameterName}::json)";

    public override StorageException? Describe(string operation, Exception exception)
    {
        string? what = null;
        if (exception is PostgresException pg)
        {
            what = pg.SqlState switch
            {
                "28P01" or "28000" => $"PostgreSQL at {_endpoint} rejected the credentials. Check Username/Password in Storage:ConnectionString.",
                "3D000" => $"the PostgreSQL database in {_endpoint} does not exist. Create it (CREATE DATABASE) or fix Database= in Storage:ConnectionString.",
                "53100" => $"the PostgreSQL server at {_endpoint} is out of disk space. Free space on the server; nothing was written by this operation.",
                "53300" => $"the PostgreSQL server at {_endpoint} has too many connections. Lower other clients' pools or raise max_connections.",
                "57P01" or "57P02" or "57P03" => $"the PostgreSQL server at {_endpoint} is shutting down or starting up. Retry once it is available.",
                _ => null,
            };
        }
        else if (exception is NpgsqlException or TimeoutException)
        {
            for (var inner = exception; inner is not null && what is null; inner = inner.InnerException)
            {
                what = inner switch
                {
                    SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                        $"the PostgreSQL server at {_endpoint} refused the connection. Is it running and listening on that host and port? Check Storage:ConnectionString.",
                    SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain } =>
                        $"the PostgreSQL host in {_endpoint} could not be resolved. Check Host= in Storage:ConnectionString.",
                    TimeoutException =>
                        $"connecting to or querying PostgreSQL at {_endpoint} timed out. Check that the server is reachable and not overloaded.",
                    _ => null,
                };
            }
        }
        return what is null ? null : new StorageException($"{operation} failed: {what} ({exception.Message})", exception);
    }

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
