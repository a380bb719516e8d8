using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace DetaineeAlertBot.Storage.Sql;

/// <summary>SqliteWriter is the one connection this process writes the SQLite file through, kept open with its prepared
/// statements. Microsoft.Data.Sqlite compiles a statement again for every new command (dotnet/efcore#14044), and on the
/// hot path (a sync's store transaction, the dispatcher's claim and marks) compiling cost more than running: the claim
/// alone took about 0.5 ms to compile and 0.07 ms to run. SQLite lets one writer at a time in anyway, so write
/// transactions queue here in process instead of on the file's lock. A write that fails for any reason closes the
/// connection, so a broken connection is never reused.</summary>
internal sealed class SqliteWriter(Func<SqliteConnection, CancellationToken, Task> open, string connectionString) : IAsyncDisposable
{
    /// <summary>Bounds the prepared statements kept (bulk inserts have one text per row count).</summary>
    private const int MaxCachedStatements = 64;

    private readonly SemaphoreSlim _turn = new(1, 1);
    private WriterConnection? _connection;

    public async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                var connection = new WriterConnection(connectionString);
                try
                {
                    await open(connection, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
                _connection = connection;
            }
            try
            {
                return await work(_connection).ConfigureAwait(false);
            }
            catch
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
                throw;
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connection is not null) await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>The cached command for <paramref name="sql"/> (its parameters cleared) when <paramref name="connection"/>
    /// is the writer's; null for any other connection.</summary>
    internal static DbCommand? CachedCommand(DbConnection connection, string sql) =>
        connection is WriterConnection writer ? writer.Command(sql) : null;

    private sealed class WriterConnection(string connectionString) : SqliteConnection(connectionString)
    {
        private readonly Dictionary<string, LinkedListNode<ReusedCommand>> _commands = new(StringComparer.Ordinal);
        private readonly LinkedList<ReusedCommand> _recent = new();

        public DbCommand Command(string sql)
        {
            if (_commands.TryGetValue(sql, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                node.Value.Parameters.Clear();
                return node.Value;
            }
            var command = new ReusedCommand(sql, this);
            _commands[sql] = _recent.AddFirst(command);
            if (_commands.Count > MaxCachedStatements)
            {
                var oldest = _recent.Last!;
                _recent.RemoveLast();
                _commands.Remove(oldest.Value.CommandText);
                oldest.Value.Release();
            }
            return command;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                foreach (var command in _recent) command.Release();
                _recent.Clear();
                _commands.Clear();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>A command whose Dispose keeps its prepared statements: the call sites' <c>await using</c> stays as it is
    /// for every other connection, and only the cache ends a reused command.</summary>
    private sealed class ReusedCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        private bool _released;

        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (_released) base.Dispose(disposing);
        }
    }
}
