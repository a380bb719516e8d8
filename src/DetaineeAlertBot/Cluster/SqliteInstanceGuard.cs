using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Storage;
using Microsoft.Data.Sqlite;

namespace DetaineeAlertBot.Cluster;

/// <summary>SqliteInstanceGuard keeps SQLite single-instance: it holds an exclusive lock on "&lt;database&gt;.lock"
/// for the life of the process (released by the OS if the process dies), and a second process on the same file
/// stops at start with a message saying so. Runs before anything opens the database.</summary>
public sealed class SqliteInstanceGuard(StorageOptions storage, ILogger<SqliteInstanceGuard> logger) : IHostedService, IDisposable
{
    private FileStream? _lock;

    /// <summary>The lock file of a SQLite connection string, or null for an in-memory database.</summary>
    public static string? LockPath(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory) return null;
        return Path.GetFullPath(builder.DataSource) + ".lock";
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (LockPath(storage.ConnectionString) is not { } path) return Task.CompletedTask;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix and a sharing lock on Windows.
            _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            var holder = TryRead(path);
            throw new StartupException(
                $"another DetaineeAlertBot process{holder} is already using the SQLite database '{path[..^".lock".Length]}' "
                + $"(it holds '{path}'). SQLite runs one instance: stop the other process, give this one its own "
                + "Storage:ConnectionString, or use Storage:Provider=Postgres to run several instances on one database.", ex);
        }
        _lock.SetLength(0);
        using (var writer = new StreamWriter(_lock, leaveOpen: true)) writer.Write($"{Environment.MachineName} pid {Environment.ProcessId}");
        _lock.Flush();
        logger.LogDebug("Holding the SQLite instance lock {Path}", path);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _lock?.Dispose();
        _lock = null;
    }

    private static string TryRead(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var text = reader.ReadToEnd().Trim();
            return text.Length is > 0 and < 200 ? $" ({text})" : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
