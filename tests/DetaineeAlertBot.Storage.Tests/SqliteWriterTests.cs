using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>The one SQLite writer connection: compiled statements kept and reused, writes queued in process, and a
/// failed write never leaves a broken connection behind.</summary>
public sealed class SqliteWriterTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task WriteTransactions_ReuseOneCommandPerStatement_OtherConnectionsGetNewOnes()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var seen = new List<object>();
        for (var i = 0; i < 3; i++)
        {
            await db.Database.RunInTransactionAsync("test", async (connection, transaction) =>
            {
                var command = connection.Command("SELECT COUNT(*) FROM cases WHERE id = @id", transaction).With("@id", $"x{i}");
                await using (command)
                {
                    Assert.Equal(0L, Convert.ToInt64(await command.ExecuteScalarAsync(None), System.Globalization.CultureInfo.InvariantCulture));
                }
                seen.Add(command);
                return 0;
            }, None);
        }
        Assert.Same(seen[0], seen[1]);
        Assert.Same(seen[1], seen[2]);

        await using var reader = await db.Database.Dialect.OpenAsync(None);
        await using var first = reader.Command("SELECT 1");
        await using var second = reader.Command("SELECT 1");
        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task ManyStatementTexts_TheCacheStaysBounded_AndEvictedStatementsStillRun()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var commands = new List<object>();
        await db.Database.RunInTransactionAsync("test", async (connection, transaction) =>
        {
            for (var i = 0; i < 100; i++)
            {
                await using var command = connection.Command($"SELECT {i}", transaction);
                Assert.Equal((long)i, await command.ExecuteScalarAsync(None));
                commands.Add(command);
            }
            // The first texts were evicted: asking again compiles a new command, which runs.
            await using var again = connection.Command("SELECT 0", transaction);
            Assert.NotSame(commands[0], again);
            Assert.Equal(0L, await again.ExecuteScalarAsync(None));
            await using var recent = connection.Command("SELECT 99", transaction);
            Assert.Same(commands[99], recent);
            return 0;
        }, None);
    }

    [Fact]
    public async Task AFailedWrite_RollsBackAndClosesTheConnection_TheNextWriteWorksOnAFreshOne()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        object? before = null;
        await db.Database.RunInTransactionAsync("test", async (connection, transaction) =>
        {
            before = connection;
            await using var command = connection.Command("SELECT 1", transaction);
            return await command.ExecuteScalarAsync(None);
        }, None);

        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.RunInTransactionAsync<int>("test", async (connection, transaction) =>
        {
            await using var insert = connection.Command("INSERT INTO sources (name, baselined_at, last_sync_at) VALUES ('s', 'a', 'a')", transaction);
            await insert.ExecuteNonQueryAsync(None);
            await using var broken = connection.Command("SELECT * FROM no_such_table", transaction);
            await broken.ExecuteScalarAsync(None);
            return 0;
        }, None));

        object? after = null;
        var sources = await db.Database.RunInTransactionAsync("test", async (connection, transaction) =>
        {
            after = connection;
            await using var count = connection.Command("SELECT COUNT(*) FROM sources WHERE name = 's'", transaction);
            return Convert.ToInt64(await count.ExecuteScalarAsync(None), System.Globalization.CultureInfo.InvariantCulture);
        }, None);
        Assert.Equal(0L, sources);
        Assert.NotSame(before, after);
    }

    [Fact]
    public async Task ConcurrentSyncs_AllApply_WithoutWaitingOnTheFileLock()
    {
        await using var db = await TestDatabase.CreateAsync(StorageOptions.Sqlite);
        var sources = Enumerable.Range(0, 20).Select(i => $"src-{i}").ToArray();

        await Task.WhenAll(sources.Select(source => Task.Run(() =>
            db.Cases.ApplyAsync(new Core.Sync.SyncPlan(source, TestDatabase.Start, true,
                [new Core.Sync.CaseUpsert(Make.Case("a", CaseStatus.Detained, source), Core.Changes.ChangeKind.FirstSeen, null)], [], []), None))));

        Assert.Equal(20L, await db.CountAsync("SELECT COUNT(*) FROM cases"));
        Assert.Equal(20L, await db.CountAsync("SELECT COUNT(*) FROM status_history"));
    }
}
