using DetaineeAlertBot.Core.Cases;
using Microsoft.Data.Sqlite;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>What only a file database has: a path to create, a journal mode and a lock.</summary>
public sealed class SqliteFileTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Create_MissingDirectory_CreatesItAndUsesWal()
    {
        var root = Path.Combine(Path.GetTempPath(), "detainee-bot-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var path = Path.Combine(root, "nested", "data", "bot.db");
            await using (var database = StorageDatabase.Create(new StorageOptions { ConnectionString = $"Data Source={path}" }))
            {
                await new CaseStore(database).MigrateAsync(None);
                await using var connection = await database.Dialect.OpenAsync(None);
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA journal_mode";
                Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
                command.CommandText = "PRAGMA foreign_keys";
                Assert.Equal(1L, (long?)await command.ExecuteScalarAsync());
            }
            Assert.True(File.Exists(path));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Apply_FileLockedLongerThanBusyTimeout_ThrowsStorageExceptionSayingLocked()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var path = new SqliteConnectionStringBuilder(db.Options.ConnectionString).DataSource;
        // Another process holds the write lock; ours gives up after its one-second busy timeout.
        await using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        await holder.OpenAsync();
        await using var held = holder.BeginTransaction(deferred: false);
        await using var impatient = StorageDatabase.Create(new StorageOptions { ConnectionString = $"Data Source={path};Default Timeout=1" });

        var error = await Assert.ThrowsAsync<StorageException>(() =>
            new CaseStore(impatient).ApplyAsync(Make.Baseline(TestDatabase.Start, Make.Case("a", CaseStatus.Detained)), None));

        Assert.Contains("is locked", error.Message);
        Assert.Contains("Default Timeout", error.Message);
        Assert.IsType<SqliteException>(error.InnerException);
    }
}
