using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Gateway;

/// <summary>The gateway client against the fake's WebSocket gateway. Waits are generous; nothing asserts on time.</summary>
public sealed class DiscordGatewayClientTests : IAsyncLifetime
{
    private FakeDiscordServer _fake = null!;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<GatewayDispatch> _dispatches = new();

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscordServer.StartAsync();
        _fake.Gateway.HeartbeatIntervalMs = 300;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _fake.DisposeAsync();
    }

    private (DiscordGatewayClient Client, Task Run) Start(Action<DiscordGatewayOptions>? configure = null)
    {
        var client = Clients.Gateway(_fake, Clients.Rest(_fake), configure);
        client.DispatchHandler = (d, _) =>
        {
            _dispatches.Enqueue(d);
            return Task.CompletedTask;
        };
        return (client, Task.Run(() => client.RunAsync(_stop.Token)));
    }

    private static JsonObject Interaction(string id) => new() { ["id"] = id, ["type"] = 2, ["token"] = "fake-interaction-token", ["version"] = 1 };

    private static IEnumerable<JsonObject> Ops(FakeGatewayConnection c, int op) => c.Received.Where(p => (int?)p["op"] == op);

    [Fact]
    public async Task Run_Hello_IdentifiesWithIntentsZeroAndBecomesReady()
    {
        var (client, _) = Start();

        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");

        var identify = Ops(_fake.Gateway.Current!, 2).Single();
        Assert.Equal("fake-bot-token", (string?)identify["d"]!["token"]);
        Assert.Equal(0, (int)identify["d"]!["intents"]!);
        Assert.NotNull(identify["d"]!["properties"]!["os"]);
        Assert.Equal(_fake.Gateway.SessionId, client.Status.SessionId);
        Assert.Equal(FakeDiscordServer.DefaultApplicationId, client.ApplicationId);
        // The gateway URL from GET /gateway/bot, with v=10 and JSON encoding.
        Assert.Contains(_fake.Requests, r => r.Path == "/api/v10/gateway/bot");
    }

    [Fact]
    public async Task Run_Ready_HeartbeatsCarryLastSequenceAndGetAcknowledged()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");
        await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", Interaction("1"));

        await Eventually.WaitUntilAsync(() => Ops(_fake.Gateway.Current!, 1).Any(h => (int?)h["d"] == 2), "a heartbeat with d = 2");

        await Eventually.WaitUntilAsync(() => client.Status.LastHeartbeatAck is not null, "heartbeat ACK seen");
    }

    [Fact]
    public async Task Run_Dispatch_HandedToHandler()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");

        await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", Interaction("1300000000000000001"));

        await Eventually.WaitUntilAsync(() => !_dispatches.IsEmpty, "dispatch handled");
        var dispatch = Assert.Single(_dispatches);
        Assert.Equal("INTERACTION_CREATE", dispatch.EventName);
        Assert.Equal("1300000000000000001", dispatch.Data.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Run_Reconnect_ResumesOnResumeUrlAndReplaysMissedEvents()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");
        await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", Interaction("1"));
        await Eventually.WaitUntilAsync(() => _dispatches.Count == 1, "first dispatch");
        var session = _fake.Gateway.SessionId;
        var first = _fake.Gateway.Current!;

        // Op 7, then an event that happens while the client is away.
        await _fake.Gateway.SendAsync("""{"op":7,"d":null}""");
        await first.Ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", Interaction("2"));

        await Eventually.WaitUntilAsync(() => _dispatches.Count == 2 && client.Status.State == GatewayState.Ready, "replayed dispatch after RESUMED");
        var second = _fake.Gateway.Current!;
        Assert.True(second.ViaResumeUrl);
        var resume = Ops(second, 6).Single();
        Assert.Equal(session, (string?)resume["d"]!["session_id"]);
        Assert.Equal(2, (int)resume["d"]!["seq"]!);
        Assert.Empty(Ops(second, 2));
        Assert.Equal(["1", "2"], _dispatches.Select(d => d.Data.GetProperty("id").GetString()));
        // We closed with a code other than 1000/1001, which keeps the session resumable.
        Assert.NotEqual(1000, first.ClientCloseCode);
    }

    [Fact]
    public async Task Run_InvalidSessionNotResumable_IdentifiesAgain()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");
        var session = _fake.Gateway.SessionId;

        await _fake.Gateway.SendAsync("""{"op":9,"d":false}""");

        await Eventually.WaitUntilAsync(() => _fake.Gateway.Connections.Count == 2 && client.Status.State == GatewayState.Ready, "new session");
        Assert.Single(Ops(_fake.Gateway.Current!, 2));
        Assert.Empty(Ops(_fake.Gateway.Current!, 6));
        Assert.NotEqual(session, client.Status.SessionId);
    }

    [Fact]
    public async Task Run_InvalidSessionResumable_Resumes()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");

        await _fake.Gateway.SendAsync("""{"op":9,"d":true}""");

        await Eventually.WaitUntilAsync(() => _fake.Gateway.Connections.Count == 2 && client.Status.State == GatewayState.Ready, "resumed");
        Assert.Single(Ops(_fake.Gateway.Current!, 6));
    }

    [Fact]
    public async Task Run_ResumeRejected_FallsBackToIdentify()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");
        _fake.Gateway.RejectResume = true;

        await _fake.Gateway.CloseCurrentAsync(4000);

        await Eventually.WaitUntilAsync(() => _fake.Gateway.Connections.Count == 3 && client.Status.State == GatewayState.Ready, "identified after a refused resume");
        var connections = _fake.Gateway.Connections;
        Assert.Single(Ops(connections[1], 6));
        Assert.Single(Ops(connections[2], 2));
    }

    [Fact]
    public async Task Run_MissingHeartbeatAck_ReconnectsAndResumes()
    {
        var (client, _) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");

        _fake.Gateway.AckHeartbeats = false;
        await Eventually.WaitUntilAsync(() => _fake.Gateway.Connections.Count >= 2, "zombie detected, new connection");
        _fake.Gateway.AckHeartbeats = true;

        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready && Ops(_fake.Gateway.Current!, 6).Any(), "resumed");
        Assert.True(_fake.Gateway.Connections[1].ViaResumeUrl);
    }

    [Fact]
    public async Task Run_SlowHandler_HeartbeatsContinue()
    {
        var release = new TaskCompletionSource();
        var client = Clients.Gateway(_fake, Clients.Rest(_fake));
        client.DispatchHandler = async (_, ct) => await release.Task.WaitAsync(ct);
        _ = Task.Run(() => client.RunAsync(_stop.Token));
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");

        for (var i = 0; i < 20; i++)
        {
            await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", Interaction(i.ToString()));
        }

        var beatsBefore = Ops(_fake.Gateway.Current!, 1).Count();
        await Eventually.WaitUntilAsync(() => Ops(_fake.Gateway.Current!, 1).Count() >= beatsBefore + 3, "three more heartbeats while handlers block");
        Assert.Single(_fake.Gateway.Connections);
        Assert.Equal(GatewayState.Ready, client.Status.State);
        release.SetResult();
    }

    [Theory]
    [InlineData(4004)]
    [InlineData(4010)]
    [InlineData(4011)]
    [InlineData(4012)]
    [InlineData(4013)]
    [InlineData(4014)]
    public async Task Run_FatalCloseCode_StopsWithClearErrorAndNoReconnect(int code)
    {
        _fake.Gateway.CloseOnNextIdentify = code;
        var (client, run) = Start();

        var e = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => run.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(code, e.CloseCode);
        Assert.StartsWith(code.ToString(), e.Message);
        Assert.Equal(GatewayState.Fatal, client.Status.State);
        Assert.Single(_fake.Gateway.Connections);
    }

    [Fact]
    public async Task Run_WrongToken_AuthenticationFailedIsFatal()
    {
        var rest = Clients.Rest(_fake);
        var client = Clients.Gateway(_fake, rest, o => o.BotToken = "fake-wrong-token");

        var e = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => client.RunAsync(_stop.Token).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(GatewayCloseCodes.AuthenticationFailed, e.CloseCode);
        Assert.Contains("token", e.Message);
    }

    [Fact]
    public async Task Run_TokenAlreadyRejectedByRest_FatalWithoutRetrying()
    {
        _fake.BotToken = "fake-other-token";
        var rest = Clients.Rest(_fake);
        await Assert.ThrowsAsync<DetaineeAlertBot.Discord.Rest.DiscordApiException>(() => rest.GetCurrentApplicationAsync(CancellationToken.None));
        var client = Clients.Gateway(_fake, rest);

        var e = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => client.RunAsync(_stop.Token).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(GatewayCloseCodes.AuthenticationFailed, e.CloseCode);
        Assert.Empty(_fake.Gateway.Connections);
    }

    [Fact]
    public async Task Run_RepeatedFailures_GivesUpAfterBoundedAttempts()
    {
        // Every identify is closed with "session timed out": never ready.
        var (client, run) = Start(o => o.MaxConsecutiveFailures = 3);
        _fake.Gateway.CloseOnNextIdentify = 4009;
        var closer = Task.Run(async () =>
        {
            while (!run.IsCompleted)
            {
                // Not a wait for a state: the fake's close is one-shot, so it is re-armed until the client gives up.
                _fake.Gateway.CloseOnNextIdentify = 4009;
                await Task.Delay(5);
            }
        });

        var e = await Assert.ThrowsAsync<DiscordGatewayFatalException>(() => run.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("gave up after 3", e.Message);
        Assert.Equal(3, _fake.Gateway.Connections.Count);
        await closer;
    }

    [Fact]
    public async Task Run_Cancelled_ClosesNormallyAndStops()
    {
        var (client, run) = Start();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");

        await _stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        await _fake.Gateway.Current!.Ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(GatewayState.Stopped, client.Status.State);
        Assert.Equal(1000, _fake.Gateway.Current!.ClientCloseCode);
    }
}
