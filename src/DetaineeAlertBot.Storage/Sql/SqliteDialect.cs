using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DetaineeAlertBot.Storage.Sql;

/// <summary>SqliteDialect: one file, WAL journal, busy timeout, foreign keys on. Timestamps are UTC ISO-8601 text
/// with a fixed width ("2026-11-26T09:00:00.0000000Z") so text order is time order; dates are "yyyy-MM-dd".</summary>
internal sealed class SqliteDialect : SqlDialect
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private const string DateFormat = "yyyy-MM-dd";

    private readonly string _connectionString;
    private readonly string _path;
    private readonly int _busyTimeoutMs;
    private int _walChecked;

    public SqliteDialect(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrWhiteSpace(builder.DataSource))
            throw new ArgumentException("Storage:ConnectionString for Sqlite needs a 'Data Source=<file path>'.", nameof(connectionString));
        _path = builder.DataSource;
        // Microsoft.Data.Sqlite retries a busy database for the command timeout; SQLite's own busy handler gets the
        // same budget so both layers agree on how long "locked" may last.
        _busyTimeoutMs = checked(builder.DefaultTimeout * 1000);
        _connectionString = builder.ToString();
        var inMemory = builder.Mode == SqliteOpenMode.Memory || _path == ":memory:";
        if (!inMemory)
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(_path));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        }
    }

    public override string Provider => StorageOptions.Sqlite;

    /// <summary>The database file, as configured.</summary>
    public string FilePath => _path;

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA foreign_keys = ON;";
            command.ExecuteNonQuery();
            if (Volatile.Read(ref _walChecked) == 0)
            {
                // WAL is persistent in the file; setting it once per process lets readers run beside the writer.
                command.CommandText = "PRAGMA journal_mode = WAL;";
                command.ExecuteNonQuery();
                Volatile.Write(ref _walChecked, 1);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // deferred: false is BEGIN IMMEDIATE: take the write lock now, not at the first write.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask; // BEGIN IMMEDIATE already excludes every other writer of the file.

    public override object Timestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(
            DateTime.ParseExact(reader.GetString(ordinal), TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            DateTimeKind.Utc));

    public override object Date(DateOnly value) => value.ToString(DateFormat, CultureInfo.InvariantCulture);

    public override DateOnly ReadDate(DbDataReader reader, int ordinal) =>
        DateOnly.ParseExact(reader.GetString(ordinal), DateFormat, CultureInfo.InvariantCulture);

    public override string InList(string column, string parameterName) => $"{column} IN (SELECT value FROM json_each({parameterName}))";

    public override object ListValue(IReadOnlyCollection<string> values) => JsonSerializer.Serialize(values, StorageJsonContext.Default.IReadOnlyCollectionString);

    public override string ForUpdate => "";

    public override string ForUpdateSkipLocked => "";

    public override Task<int> InsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        BulkInsert statement,
        IReadOnlyList<object?[]> rows,
        Action<DbDataReader>? onReturned,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return Task.FromResult(0);
        // One prepared statement, rebound per row: SQLite runs in-process, so a round trip costs nothing and the
        // statement is compiled once. Calls are synchronous because Microsoft.Data.Sqlite's async ones are too.
        using var command = (SqliteCommand)connection.CreateCommand();
        command.Transaction = (SqliteTransaction)transaction;
        command.CommandText =
            $"INSERT INTO {statement.Table} ({string.Join(", ", statement.Columns)}) " +
            $"VALUES ({string.Join(", ", statement.Columns.Select(c => "@" + c))}) {statement.Suffix}";
        var parameters = statement.Columns.Select(c => command.Parameters.Add(new SqliteParameter("@" + c, DBNull.Value))).ToArray();
        command.Prepare();
        var affected = 0;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < parameters.Length; i++) parameters[i].Value = row[i] ?? DBNull.Value;
            if (onReturned is null)
            {
                affected += command.ExecuteNonQuery();
                continue;
            }
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                onReturned(reader);
                affected++;
            }
        }
        return Task.FromResult(affected);
    }

    public override StorageException? Describe(string operation, Exception exception)
    {
        if (exception is not SqliteException sqlite) return null;
        var what = sqlite.SqliteErrorCode switch
        {
            // SQLITE_BUSY, SQLITE_LOCKED
            5 or 6 => $"the SQLite database '{_path}' is locked: another connection or process kept it busy for longer than the busy timeout ({_busyTimeoutMs} ms). Make sure only one bot instance uses this file, or raise 'Default Timeout' (seconds) in Storage:ConnectionString.",
            // SQLITE_FULL
            13 => $"the disk holding the SQLite database '{_path}' is full. Free disk space; nothing was written by this operation.",
            // SQLITE_CANTOPEN
            14 => $"the SQLite database file '{_path}' cannot be opened. Check that its directory exists and is writable by the bot, or change Storage:ConnectionString.",
            // SQLITE_READONLY
            8 => $"the SQLite database '{_path}' is read-only. Give the bot write permission on the file and its directory.",
            // SQLITE_IOERR
            10 => $"the disk returned an I/O error for the SQLite database '{_path}'. Check the disk and the file system.",
            // SQLITE_CORRUPT, SQLITE_NOTADB
            11 or 26 => $"'{_path}' is not a usable SQLite database (corrupt or another kind of file). Restore it from a backup or point Storage:ConnectionString elsewhere.",
            _ => null,
        };
        return what is null ? null : new StorageException($"{operation} failed: {what} ({sqlite.Message})", exception);
    }

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the file can be moved or deleted after disposal.
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
