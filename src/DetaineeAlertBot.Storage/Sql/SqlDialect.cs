using System.Data.Common;

namespace DetaineeAlertBot.Storage.Sql;

/// <summary>SqlDialect is everything that differs between SQLite and Postgres: connections, value encodings, the
/// few SQL fragments that are not portable, bulk inserts, and naming provider errors. Every other statement is
/// written once, in the stores.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>"Sqlite" or "Postgres": also the folder of the provider's migration scripts.</summary>
    public abstract string Provider { get; }

    /// <summary>An open connection, ready for commands (per-connection settings applied).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A transaction that holds the write lock from its first statement (SQLite BEGIN IMMEDIATE), so a
    /// read-then-write inside it cannot be overtaken by another writer.</summary>
    /// <summary>Runs a write transaction's <paramref name="work"/> on a connection for writing; by default a new one
    /// from the pool, disposed afterwards.</summary>
    public virtual async Task<T> RunWriteAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    }

    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Serialises concurrent migrators across processes for the rest of the transaction.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    public abstract object Timestamp(DateTimeOffset value);

    public object TimestampOrNull(DateTimeOffset? value) => value is { } v ? Timestamp(v) : DBNull.Value;

    public abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    public DateTimeOffset? ReadTimestampOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTimestamp(reader, ordinal);

    public abstract object Date(DateOnly value);

    public object DateOrNull(DateOnly? value) => value is { } v ? Date(v) : DBNull.Value;

    public abstract DateOnly ReadDate(DbDataReader reader, int ordinal);

    public DateOnly? ReadDateOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadDate(reader, ordinal);

    /// <summary>"column IN list" where the list is one parameter made by <see cref="ListValue"/>
    /// (SQLite: json_each over a JSON array; Postgres: = ANY over a text[]).</summary>
    public abstract string InList(string column, string parameterName);

    public abstract object ListValue(IReadOnlyCollection<string> values);

    /// <summary>Row locks for read-then-write in one transaction; empty in SQLite, whose write transaction already
    /// excludes other writers.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>Row locks that let concurrent claimers pass each other; empty in SQLite (see <see cref="ForUpdate"/>).</summary>
    public abstract string ForUpdateSkipLocked { get; }

    /// <summary>Inserts <paramref name="rows"/> (values encoded by this dialect, in column order) in chunks of
    /// <see cref="RowsPerStatement"/> and hands each RETURNING row to <paramref name="onReturned"/>. Returns the
    /// number of rows inserted or updated. Callers must not repeat a conflict key within one call (ON CONFLICT DO
    /// UPDATE cannot touch a row twice).</summary>
    public abstract Task<int> InsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        BulkInsert statement,
        IReadOnlyList<object?[]> rows,
        Action<DbDataReader>? onReturned,
        CancellationToken cancellationToken);

    /// <summary>Rows per statement where a dialect sends rows in chunks: bounds what one statement carries. Tests
    /// lower it to cross chunk boundaries with few rows.</summary>
    internal int RowsPerStatement { get; set; } = 10_000;

    /// <summary>A statement that tells other processes, at commit, that outbox rows were queued (Postgres NOTIFY, so the
    /// leader's dispatcher wakes at once for a change another instance stored); null where there is nobody to tell.</summary>
    public virtual string? OutboxQueuedNotification => null;

    /// <summary>The database's clock in SQL. Postgres: now() (the transaction's start), so every instance compares leases
    /// and due times on one clock. SQLite (one process): the @now parameter, bound by <see cref="BindNow"/> from the
    /// process's TimeProvider.</summary>
    public abstract string Now { get; }

    /// <summary><see cref="Now"/> plus the number of seconds (a double, may be negative) in <paramref name="secondsParameter"/>.</summary>
    public abstract string NowPlus(string secondsParameter);

    /// <summary>Binds what <see cref="Now"/> needs (nothing for Postgres).</summary>
    public abstract DbCommand BindNow(DbCommand command, TimeProvider time);

    /// <summary>A boolean column value (SQLite has no boolean type: 1 or 0).</summary>
    public abstract object Boolean(bool value);

    public abstract bool ReadBoolean(DbDataReader reader, int ordinal);

    /// <summary>A <see cref="StorageException"/> for provider errors we can name, else null (rethrow as is).</summary>
    public abstract StorageException? Describe(string operation, Exception exception);

    public abstract ValueTask DisposeAsync();
}
