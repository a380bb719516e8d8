using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using Microsoft.Data.Sqlite;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>What only a file database has: a path to create, a journal mode, a lock, and a restart to survive.</summary>
public sealed class SqliteFileTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Reopen_AfterWrites_KeepsCasesWatchlistsHistoryAndOutbox()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var start = TestDatabase.Start;
        await db.Cases.ApplyAsync(Make.Baseline(start, Make.Case("a", CaseStatus.Detained)), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, "a", "alice", start), None);
        await db.Cases.ApplyAsync(Make.Plan(start.AddHours(1), Make.StatusChange(Make.Case("a", CaseStatus.Released), CaseStatus.Detained)), None);
        var claimed = Assert.Single(await db.Outbox.ClaimDueAsync("w1", start.AddHours(1), TimeSpan.FromMinutes(1), 10, None));

        await db.ReopenAsync();
        await db.Cases.MigrateAsync(None);

        var snapshot = await db.Cases.LoadAsync(None);
        Assert.Equal(CaseStatus.Released, Assert.Single(snapshot.Cases).Case.Status);
        Assert.Equal(new SourceState(Make.Source, start, start.AddHours(1)), Assert.Single(snapshot.Sources));
        Assert.Single(await db.Watchlists.ListAsync("discord", "c1", None));
        Assert.Equal(2, (await db.Cases.GetHistoryAsync(new CaseKey(Make.Source, "a"), 10, None)).Count);
        // The crashed sender's row is still there, mid-send; a restart releases it and it goes out exactly once more.
        Assert.Equal(1, await db.Outbox.ReleaseAllLeasesAsync(None));
        var again = Assert.Single(await db.Outbox.ClaimDueAsync("w2", start.AddHours(1), TimeSpan.FromMinutes(1), 10, None));
        Assert.Equal((claimed.DeliveryId, 2), (again.DeliveryId, again.Attempt));
    }

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
