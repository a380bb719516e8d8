using System.Data.Common;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>StorageDatabase is one configured database (SQLite file or Postgres data source) shared by the stores.
/// Create one per process, pass it to <see cref="CaseStore"/>, <see cref="WatchlistStore"/> and
/// <see cref="AlertOutbox"/>, and dispose it at shutdown.</summary>
public sealed class StorageDatabase : IAsyncDisposable, IDisposable
{
    private StorageDatabase(SqlDialect dialect, TimeProvider timeProvider)
    {
        Dialect = dialect;
        Time = timeProvider;
    }

    /// <summary>"Sqlite" or "Postgres".</summary>
    public string Provider => Dialect.Provider;

    internal SqlDialect Dialect { get; }

    internal TimeProvider Time { get; }

    /// <summary>Builds the database for <paramref name="options"/>. For SQLite, creates the file's directory when
    /// missing. Throws ArgumentException naming Storage:Provider when the provider is unknown.</summary>
    public static StorageDatabase Create(StorageOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new ArgumentException("Storage:ConnectionString is empty.", nameof(options));
        SqlDialect dialect = options.Provider switch
        {
            var p when string.Equals(p, StorageOptions.Sqlite, StringComparison.OrdinalIgnoreCase) => new SqliteDialect(options.ConnectionString),
            var p when string.Equals(p, StorageOptions.Postgres, StringComparison.OrdinalIgnoreCase) => new PostgresDialect(options.ConnectionString),
            _ => throw new ArgumentException(
                $"Storage:Provider '{options.Provider}' is not supported; use '{StorageOptions.Sqlite}' or '{StorageOptions.Postgres}'.", nameof(options)),
        };
        return new StorageDatabase(dialect, timeProvider ?? TimeProvider.System);
    }

    /// <summary>Runs <paramref name="work"/> on an open connection, naming provider errors (see <see cref="StorageException"/>).</summary>
    internal Task<T> RunAsync<T>(string operation, Func<DbConnection, Task<T>> work, CancellationToken cancellationToken) =>
        Described(operation, async () =>
        {
            await using var connection = await Dialect.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await work(connection).ConfigureAwait(false);
        });

    /// <summary>Runs <paramref name="work"/> in a write transaction (<see cref="SqlDialect.BeginWriteAsync"/>) on the
    /// dialect's write connection (<see cref="SqlDialect.RunWriteAsync"/>) and commits it; any exception rolls it back.</summary>
    internal Task<T> RunInTransactionAsync<T>(string operation, Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        Described(operation, () => Dialect.RunWriteAsync(async connection =>
        {
            await using var transaction = await Dialect.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            var result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }, cancellationToken));

    private async Task<T> Described<T>(string operation, Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && Dialect.Describe(operation, e) is { } described)
        {
            throw described;
        }
    }

    /// <summary>SQLite: writes the WAL back into the database file and truncates it (PRAGMA wal_checkpoint(TRUNCATE)), so
    /// a stopped bot leaves one self-contained file. Postgres: nothing to do. Returns false when the checkpoint could not
    /// complete (another connection was still reading).</summary>
    public Task<bool> CheckpointAsync(CancellationToken cancellationToken)
    {
        if (Provider != StorageOptions.Sqlite) return Task.FromResult(true);
        return RunAsync("Checkpointing the SQLite WAL", async connection =>
        {
            await using var command = connection.Command("PRAGMA wal_checkpoint(TRUNCATE)");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            // One row: busy (0 or 1), log frames, checkpointed frames.
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && reader.GetInt64(0) == 0;
        }, cancellationToken);
    }

    public ValueTask DisposeAsync() => Dialect.DisposeAsync();

    public void Dispose() => Dialect.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
