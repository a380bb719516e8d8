using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Gateway;

/// <summary>Sharding: as many connections as GET /gateway/bot recommends, each identifying as [shard_id, num_shards];
/// the Identify calls of one max_concurrency bucket are spaced by the identify interval (limiter test, fake time).</summary>
public sealed class DiscordShardedGatewayTests : IAsyncLifetime
{
    private FakeDiscordServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDiscordServer.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private async Task<(DiscordShardedGateway Gateway, Task Run, CancellationTokenSource Stop)> StartAsync(TimeSpan identifyInterval)
    {
        var gateway = new DiscordShardedGateway(Clients.Rest(_fake), new DiscordGatewayOptions
        {
            BotToken = FakeDiscordServer.DefaultBotToken,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
            IdentifyInterval = identifyInterval,
        });
        var stop = new CancellationTokenSource();
        var run = gateway.RunAsync(stop.Token);
        await Task.Yield();
        return (gateway, run, stop);
    }

    [Fact]
    public async Task Run_WhenThreeShardsAreRecommended_IdentifiesEachShardOnItsOwnConnection()
    {
        _fake.RecommendedShards = 3;
        _fake.MaxConcurrency = 1;
        var interval = TimeSpan.FromMilliseconds(300);
        var (gateway, run, stop) = await StartAsync(interval);
        var dispatched = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        gateway.DispatchHandler = (dispatch, _) =>
        {
            dispatched.TrySetResult(dispatch.EventName);
            return Task.CompletedTask;
        };

        await WaitAsync(() => _fake.Gateway.Connections.Count(c => c.Ready) == 3 && gateway.Status.State == GatewayState.Ready);

        var identifies = _fake.Gateway.Connections
            .SelectMany(c => c.Received.Where(p => (int?)p["op"] == 2).Select(p => (Shard: p["d"]!["shard"]!.AsArray().Select(n => (int)n!).ToArray(), Connection: c)))
            .ToList();
        Assert.Equal([[0, 3], [1, 3], [2, 3]], identifies.Select(i => i.Shard).OrderBy(s => s[0]).ToArray());
        Assert.Equal(3, identifies.Select(i => i.Connection).Distinct().Count());
        Assert.Equal(3, gateway.ShardCount);

        Assert.Equal(3, _fake.Gateway.Received.Count(p => (int?)p["op"] == 2)); // no shard identified twice

        await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", new JsonObject { ["id"] = "1" });
        Assert.Equal("INTERACTION_CREATE", await dispatched.Task.WaitAsync(TimeSpan.FromSeconds(10)));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Run_WhenOneShardIsRecommended_IdentifiesWithoutAShardField()
    {
        var (gateway, run, stop) = await StartAsync(TimeSpan.FromMilliseconds(10));

        await WaitAsync(() => gateway.Status.State == GatewayState.Ready);

        var identify = Assert.Single(_fake.Gateway.Received, p => (int?)p["op"] == 2);
        Assert.Null(identify["d"]!["shard"]);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task IdentifyLimiter_SameBucket_WaitsTheIntervalAndOtherBucketsDoNot()
    {
        var time = new WaitAwareTimeProvider();
        var limiter = new DiscordIdentifyLimiter(maxConcurrency: 2, TimeSpan.FromSeconds(5), time);

        await limiter.WaitAsync(0, CancellationToken.None);
        await limiter.WaitAsync(1, CancellationToken.None); // bucket 1: no wait
        var third = limiter.WaitAsync(2, CancellationToken.None); // bucket 0 again: waits 5 s
        Assert.Equal(TimeSpan.FromSeconds(5), await time.WaitForTimerAsync(because: "the limiter waiting out bucket 0's interval"));
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));
        await third.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static Task WaitAsync(Func<bool> condition) => Eventually.TrueAsync(condition, TimeSpan.FromSeconds(20));
}
