using System.Net;
using System.Text.Json;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Storage.Cluster;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Tests.Cluster;

/// <summary>One instance leads at a time: SQLite refuses a second process on the same file; PostgreSQL elects one
/// leader with an advisory lock, hands over when it stops, and a leader whose connection breaks stops at once.</summary>
public sealed class LeadershipTests
{
    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task SecondInstance_OnTheSameDatabase_IsRefusedOnSqliteAndFollowsOnPostgres(string provider)
    {
        await using var postgres = provider == "Postgres" ? await PostgresDatabase.CreateAsync() : null;
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")));
        string[] storage = postgres is null ? [] : ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={postgres.ConnectionString}", "--Cluster:LeaderCheckInterval=00:00:00.5"];
        var first = await BotTestHost.StartAsync(root, storage);
        first.DeleteRootOnDispose = false;
        var firstStopped = false;
        try
        {
            await Eventually.TrueAsync(async () => (await LeaderAsync(first)) == true, detail: () => HealthAsync(first));
            if (postgres is null)
            {
                var refused = await Assert.ThrowsAsync<StartupException>(() => BotTestHost.StartAsync(root));
                Assert.Contains("already using the SQLite database", refused.Message);
                Assert.Contains("Storage:Provider=Postgres", refused.Message);
                return;
            }

            await using var second = await BotTestHost.StartAsync(root, storage);
            second.DeleteRootOnDispose = false;
            await Eventually.TrueAsync(async () => (await HealthAsync(second)).Contains("follower", StringComparison.Ordinal), detail: () => HealthAsync(second));
            Assert.False(await LeaderAsync(second));
            Assert.True(await LeaderAsync(first));

            // A clean stop releases the lock: the follower takes over at its next check.
            await first.DisposeAsync();
            firstStopped = true;
            await Eventually.TrueAsync(async () => (await LeaderAsync(second)) == true, TimeSpan.FromSeconds(15), detail: () => HealthAsync(second));
            using var health = await second.Http.GetAsync("/healthz/detail");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            if (!firstStopped) await first.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A watcher may hold the folder a moment longer; it is a temp folder.
            }
        }
    }

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task Leader_WhoseConnectionIsCut_StopsAtOnceAndTheOtherTakesOver(string provider)
    {
        if (provider == "Sqlite")
        {
            // One process, always the leader: the lead never ends while it runs.
            var single = new Core.Cluster.SingleInstanceLeadership();
            var token = await single.WaitForLeadAsync(CancellationToken.None);
            Assert.True(single.IsLeader);
            Assert.False(token.CanBeCanceled);
            return;
        }

        await using var database = await PostgresDatabase.CreateAsync();
        var interval = TimeSpan.FromMilliseconds(300);
        await using var a = new PostgresLeaderElection(database.ConnectionString, interval, NullLogger.Instance);
        await using var b = new PostgresLeaderElection(database.ConnectionString, interval, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var runA = a.RunAsync(stop.Token);
        var leadA = await a.WaitForLeadAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var runB = b.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => b.Detail.StartsWith("follower", StringComparison.Ordinal), because: "b to have tried the lock and lost");
        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);
        Assert.StartsWith("follower", b.Detail);

        // A change committed by any instance wakes the leader (NOTIFY on the outbox channel), and only the leader.
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.OutboxQueued += () => woken.TrySetResult();
        var followerWoken = false;
        b.OutboxQueued += () => followerWoken = true;
        await using (var notifier = new Npgsql.NpgsqlConnection(database.ConnectionString))
        {
            await notifier.OpenAsync();
            await using var notify = new Npgsql.NpgsqlCommand("NOTIFY detaineebot_outbox", notifier);
            await notify.ExecuteNonQueryAsync();
        }
        await woken.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.False(followerWoken);

        // Cut a's session (what a server restart or a broken network does): its next check fails and it stops leading.
        var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        leadA.Register(() => lost.TrySetResult());
        Assert.Equal(1, await database.TerminateSessionsAsync($"detaineebot-leadership {a.InstanceId}"));
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.False(a.IsLeader);

        var leadB = await b.WaitForLeadAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(b.IsLeader);
        Assert.False(leadB.IsCancellationRequested);
        await Eventually.TrueAsync(() => a.Detail.StartsWith("follower", StringComparison.Ordinal), because: "a to reconnect and try the lock again");
        Assert.False(a.IsLeader); // a reconnected as a follower: the lock is b's

        await stop.CancelAsync();
        await Task.WhenAll(runA, runB).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(leadB.IsCancellationRequested);
    }

    private static async Task<string> HealthAsync(BotTestHost host)
    {
        try
        {
            using var response = await host.Http.GetAsync("/healthz/detail");
            return await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException e)
        {
            return e.Message;
        }
    }

    private static async Task<bool?> LeaderAsync(BotTestHost host)
    {
        var body = await HealthAsync(host);
        if (!body.StartsWith('{')) return null;
        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("leader", out var leader) ? leader.GetProperty("isLeader").GetBoolean() : null;
    }
}
