using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Storage;

namespace DetaineeAlertBot.Tests.Host;

/// <summary>What a crash leaves behind (a stored change whose alert is still pending, and one claimed mid-send by a
/// process that died) is delivered exactly once by the next start, and never again after that.</summary>
public class RestartRecoveryTests
{
    [Fact]
    public async Task Start_AfterCrashWithPendingAndOrphanedRows_DeliversEachExactlyOnce()
    {
        var feed = BotTestHost.Feed(("af-1", "Amir Amiry", "released"), ("af-2", "Second Person", "charged"));
        var root = BotTestHost.CreateRoot(feed, """
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "console", "ChannelId": "desk", "Cases": [ "af-1", "af-2" ] } ]
            }
            """);
        var database = Path.Combine(root, "bot.db");
        await LeaveCrashStateAsync(database);

        await using (var first = await BotTestHost.StartAsync(root, $"--Storage:ConnectionString=Data Source={database}"))
        {
            first.DeleteRootOnDispose = false;
            await Eventually.TrueAsync(() => first.Console.Count("==== ALERT") >= 2, detail: () => first.Console.Text);
            await Eventually.TrueAsync(() => first.AllSentAsync(delivered: 2), because: "both rows stored sent, nothing left to send");
            Assert.Equal(1, first.Console.Count("Amir Amiry — Released"));
            Assert.Equal(1, first.Console.Count("Second Person — Charged"));
        }

        await using var second = await BotTestHost.StartAsync(root, $"--Storage:ConnectionString=Data Source={database}");
        await Eventually.TrueAsync(async () => (await PipelineEndToEndTests.Health(second)).Contains("\"delivered\":2"));
        // Every row is stored sent and the unchanged feed is loaded: the second start has nothing it could print.
        await Eventually.TrueAsync(async () => await second.AllSentAsync(delivered: 2) && (await PipelineEndToEndTests.Health(second)).Contains("\"cases\":2"));
        Assert.Equal(0, second.Console.Count("==== ALERT"));
    }

    /// <summary>Writes, through the real stores, the state a bot killed with SIGKILL leaves: two status changes stored
    /// with their outbox rows, one of them claimed by the dead process (lease still running).</summary>
    private static async Task LeaveCrashStateAsync(string database)
    {
        await using var services = new ServiceCollection().AddStorage(new StorageOptions { ConnectionString = $"Data Source={database}" }).BuildServiceProvider();
        var cases = services.GetRequiredService<ICaseStore>();
        var outbox = services.GetRequiredService<IAlertOutbox>();
        await cases.MigrateAsync(CancellationToken.None);
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        await services.GetRequiredService<IWatchlistStore>().SeedAsync(
            [new WatchlistEntry("console", "desk", "test", "af-1", "config", at), new WatchlistEntry("console", "desk", "test", "af-2", "config", at)],
            CancellationToken.None);

        CaseRecord Case(string id, string name, CaseStatus status) => new() { Source = "test", Id = id, Name = name, Status = status, Country = "Afghanistan" };
        await cases.ApplyAsync(new SyncPlan("test", at, true,
            [new CaseUpsert(Case("af-1", "Amir Amiry", CaseStatus.Detained), ChangeKind.FirstSeen, null), new CaseUpsert(Case("af-2", "Second Person", CaseStatus.Detained), ChangeKind.FirstSeen, null)],
            [], []), CancellationToken.None);
        var applied = await cases.ApplyAsync(new SyncPlan("test", at.AddSeconds(10), false,
            [
                new CaseUpsert(Case("af-1", "Amir Amiry", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained),
                new CaseUpsert(Case("af-2", "Second Person", CaseStatus.Charged), ChangeKind.StatusChanged, CaseStatus.Detained),
            ],
            [], []), CancellationToken.None);
        Assert.Equal(2, applied.AlertsQueued);

        var term = await outbox.BeginTermAsync(CancellationToken.None);
        var claimed = await outbox.ClaimAsync(new ClaimRequest(term, "dead-process", TimeSpan.FromMinutes(30), 1, ["console"]), CancellationToken.None);
        Assert.Single(claimed.Items);
        var stats = await outbox.GetStatsAsync(CancellationToken.None);
        Assert.Equal((1L, 1L, 0L), (stats.Pending, stats.Sending, stats.Delivered));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
