using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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
    private readonly SqliteWriter _writer;

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
        _writer = new SqliteWriter(OpenAsync, _connectionString);
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
            await OpenAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens <paramref name="connection"/> and sets the per-connection pragmas.</summary>
    private async Task OpenAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        // synchronous = FULL: a commit returns once the WAL is on disk, so every mark (stored, claimed, sent) survives
        // a power loss, and a claimed row after a crash is known to be in doubt.
        command.CommandText = $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;";
        command.ExecuteNonQuery();
        if (Volatile.Read(ref _walChecked) == 0)
        {
            // WAL is persistent in the file; setting it once per process lets readers run beside the writer.
            command.CommandText = "PRAGMA journal_mode = WAL;";
            command.ExecuteNonQuery();
            Volatile.Write(ref _walChecked, 1);
        }
    }

    /// <summary>Write transactions go through the one <see cref="SqliteWriter"/> connection, with its compiled statements.</summary>
    public override Task<T> RunWriteAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        _writer.RunAsync(work, cancellationToken);

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

    public override string Now => "@now";

    // strftime's %f is SS.SSS; four zeros and Z make it the fixed-width text of TimestampFormat, so text order stays time order.
    public override string NowPlus(string secondsParameter) => $"strftime('%Y-%m-%dT%H:%M:%f0000Z', @now, {secondsParameter} || ' seconds')";

    public override DbCommand BindNow(DbCommand command, TimeProvider time) => command.With("@now", Timestamp(time.GetUtcNow()));

    public override object Boolean(bool value) => value ? 1 : 0;

    public override bool ReadBoolean(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture) != 0;

    public override string ForUpdate => "";

    public override string ForUpdateSkipLocked => "";

    /// <inheritdoc/>
    /// <remarks>Without RETURNING, rows go through one raw prepared statement, bound by position and stepped per
    /// row: SQLite runs in-process, so a row costs only the insert itself. Microsoft.Data.Sqlite's own binding (a
    /// name lookup and a string conversion per value) cost more than the inserts at 100,000 rows, and so did
    /// unpacking JSON. RETURNING statements (a few thousand status changes at most) take the JSON path, which reads the
    /// returned rows through Microsoft.Data.Sqlite.</remarks>
    public override Task<int> InsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        BulkInsert statement,
        IReadOnlyList<object?[]> rows,
        Action<DbDataReader>? onReturned,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return Task.FromResult(0);
        if (onReturned is not null) return InsertFromJsonAsync(connection, transaction, statement, rows, onReturned, cancellationToken);
        var db = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var sql = $"INSERT INTO {statement.Table} ({string.Join(", ", statement.Columns)}) " +
                  $"VALUES ({string.Join(", ", statement.Columns.Select(_ => "?"))}) {statement.Suffix}";
        var rc = raw.sqlite3_prepare_v2(db, sql, out var prepared);
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
        using var stmt = prepared;
        var affected = 0;
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < row.Length; i++)
            {
                rc = row[i] switch
                {
                    null or DBNull => raw.sqlite3_bind_null(stmt, i + 1),
                    string text => raw.sqlite3_bind_text(stmt, i + 1, text),
                    int number => raw.sqlite3_bind_int64(stmt, i + 1, number),
                    long number => raw.sqlite3_bind_int64(stmt, i + 1, number),
                    var other => throw new NotSupportedException($"Bulk insert cannot bind a {other.GetType().Name} ({statement.Columns[i]})."),
                };
                if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, db);
            }
            rc = raw.sqlite3_step(stmt);
            if (rc != raw.SQLITE_DONE)
            {
                raw.sqlite3_reset(stmt);
                SqliteException.ThrowExceptionForRC(rc, db);
            }
            affected += raw.sqlite3_changes(db);
            raw.sqlite3_reset(stmt);
        }
        return Task.FromResult(affected);
    }

    /// <summary>Inserts rows sent as ONE parameter per chunk, a JSON array of objects keyed by column name that
    /// SQLite unpacks itself, so no value is bound on its own.</summary>
    private async Task<int> InsertFromJsonAsync(
        DbConnection connection,
        DbTransaction transaction,
        BulkInsert statement,
        IReadOnlyList<object?[]> rows,
        Action<DbDataReader> onReturned,
        CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"INSERT INTO {statement.Table} ({string.Join(", ", statement.Columns)}) {JsonRowsSelect(statement, "@rows")} {statement.Suffix}";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@rows";
        command.Parameters.Add(parameter);
        var affected = 0;
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - start);
            buffer.ResetWrittenCount();
            WriteJsonRows(buffer, statement.Columns, rows, start, count);
            parameter.Value = Encoding.UTF8.GetString(buffer.WrittenSpan);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                onReturned(reader);
                affected++;
            }
        }
        return affected;
    }

    // "WHERE true" keeps SQLite from reading a following ON CONFLICT as a join constraint of the SELECT.
    private static string JsonRowsSelect(BulkInsert statement, string parameterName) =>
        $"SELECT {string.Join(", ", statement.Columns.Select(c => $"value ->> '{c}'"))} FROM json_each({parameterName}) WHERE true";

    private static void WriteJsonRows(IBufferWriter<byte> buffer, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, int start, int count)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartArray();
        for (var r = start; r < start + count; r++)
        {
            var row = rows[r];
            writer.WriteStartObject();
            for (var c = 0; c < columns.Count; c++)
            {
                writer.WritePropertyName(columns[c]);
                switch (row[c])
                {
                    case null or DBNull: writer.WriteNullValue(); break;
                    case string text: writer.WriteStringValue(text); break;
                    case int number: writer.WriteNumberValue(number); break;
                    case long number: writer.WriteNumberValue(number); break;
                    case var other: throw new NotSupportedException($"Bulk insert cannot encode a {other.GetType().Name} ({columns[c]}).");
                }
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
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

    public override async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        // Pooled connections keep the file open; release them so the file can be moved or deleted after disposal.
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
    }
}
