using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Discord.Tests.Gateway;

/// <summary>
/// The gateway protocol through the socket seam on fake time: heartbeat schedule and zombie detection, resume or a new
/// session per close code, invalid session, reconnect backoff. Time moves only when a test advances it; every wait on
/// the client's side is armed before the state or frame the test waits on, so advancing right after is safe.
/// </summary>
public sealed class GatewayProtocolTests : IDisposable
{
    private const string GatewayUrl = "wss://gateway.fake.invalid";
    private const string ResumeUrl = "wss://resume.fake.invalid";
    private const int SlowHeartbeatMs = 45_000;

    private readonly FakeTimeProvider _time = new();
    private readonly Channel<ScriptedGatewaySocket> _opened = Channel.CreateUnbounded<ScriptedGatewaySocket>();
    private readonly CancellationTokenSource _stop = new();
    private readonly StubHttpHandler _http = new((_, _) => StubHttpHandler.Json(HttpStatusCode.OK,
        $$$"""{"url":"{{{GatewayUrl}}}","shards":1,"session_start_limit":{"total":1000,"remaining":999,"reset_after":14400000,"max_concurrency":1}}"""));

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private DiscordGatewayClient Start(Action<DiscordGatewayOptions>? configure = null)
    {
        var options = new DiscordGatewayOptions
        {
            BotToken = FakeDiscordServer.DefaultBotToken,
            // Zero: reconnects happen at once, unless a test is about the reconnect wait.
            InitialReconnectDelay = TimeSpan.Zero,
            IdentifyInterval = TimeSpan.Zero,
        };
        configure?.Invoke(options);
        var client = new DiscordGatewayClient(Clients.Rest(_http, _time), Options.Create(options), null, _time, () =>
        {
            var socket = new ScriptedGatewaySocket();
            _opened.Writer.TryWrite(socket);
            return socket;
        }, heartbeatJitter: () => 0.5);
        _ = Task.Run(() => client.RunAsync(_stop.Token));
        return client;
    }

    private async Task<ScriptedGatewaySocket> NextConnectionAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _opened.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Connects, identifies and delivers READY (sequence 1) for session "session-1".</summary>
    private async Task<(DiscordGatewayClient Client, ScriptedGatewaySocket Socket)> ReadyAsync(int heartbeatMs = SlowHeartbeatMs,
        Action<DiscordGatewayOptions>? configure = null)
    {
        var client = Start(configure);
        var socket = await NextConnectionAsync();
        socket.Hello(heartbeatMs);
        await socket.NextSentAsync(GatewayOpcode.Identify);
        socket.Dispatch("READY", 1, new JsonObject { ["session_id"] = "session-1", ["resume_gateway_url"] = ResumeUrl, ["application"] = new JsonObject { ["id"] = "1" } });
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");
        return (client, socket);
    }

    [Fact]
    public async Task Heartbeat_FirstAfterJitteredInterval_ThenEveryInterval_CarryingLastSequence()
    {
        var (client, socket) = await ReadyAsync(heartbeatMs: 1000);
        socket.Dispatch("INTERACTION_CREATE", 2, new JsonObject { ["id"] = "9" });
        await Eventually.WaitUntilAsync(() => client.Status.Sequence == 2, "sequence 2 seen");

        _time.Advance(TimeSpan.FromMilliseconds(500));
        var first = await socket.NextSentAsync(GatewayOpcode.Heartbeat);
        socket.HeartbeatAck();
        await Eventually.WaitUntilAsync(() => client.Status.LastHeartbeatAck is not null, "ACK recorded");

        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var second = await socket.NextSentAsync(GatewayOpcode.Heartbeat);

        Assert.Equal(2, (int?)first["d"]);
        Assert.Equal(2, (int?)second["d"]);
        Assert.Equal(GatewayState.Ready, client.Status.State);
    }

    [Fact]
    public async Task Heartbeat_NoAckBeforeNextBeat_ZombieClosedResumablyAndResumed()
    {
        var (client, socket) = await ReadyAsync(heartbeatMs: 1000);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await socket.NextSentAsync(GatewayOpcode.Heartbeat);

        // No ACK: when the next beat is due the connection is a zombie.
        _time.Advance(TimeSpan.FromMilliseconds(1000));
        var next = await NextConnectionAsync();
        next.Hello(SlowHeartbeatMs);
        var resume = await next.NextSentAsync(GatewayOpcode.Resume);

        Assert.Contains("zombie", client.Status.Error);
        Assert.Equal(GatewayConnection.ReconnectCloseCode, socket.ClientCloseCode);
        Assert.Equal(new Uri(ResumeUrl).Host, next.ConnectedTo!.Host);
        Assert.Equal("session-1", (string?)resume["d"]!["session_id"]);
        Assert.Equal(1, (int?)resume["d"]!["seq"]);
    }

    [Fact]
    public async Task Heartbeat_RequestedByDiscord_SentAtOnce()
    {
        var (_, socket) = await ReadyAsync();

        socket.Push(new JsonObject { ["op"] = 1, ["d"] = null });
        var beat = await socket.NextSentAsync(GatewayOpcode.Heartbeat);

        Assert.Equal(1, (int?)beat["d"]);
    }

    [Theory]
    [InlineData(4000, true)]  // unknown error
    [InlineData(4001, true)]  // unknown opcode
    [InlineData(4002, true)]  // decode error
    [InlineData(4008, true)]  // rate limited
    [InlineData(4003, false)] // not authenticated
    [InlineData(4005, false)] // already authenticated
    [InlineData(4007, false)] // invalid seq
    [InlineData(4009, false)] // session timed out
    [InlineData(1000, false)] // a normal close from Discord ends the session
    public async Task Close_PerCode_ResumesOrIdentifiesAgain(int code, bool resumes)
    {
        var (client, socket) = await ReadyAsync();

        socket.CloseFromServer(code);
        var next = await NextConnectionAsync();
        next.Hello(SlowHeartbeatMs);
        var first = await next.NextSentAsync(resumes ? GatewayOpcode.Resume : GatewayOpcode.Identify);

        Assert.Equal(resumes ? new Uri(ResumeUrl).Host : new Uri(GatewayUrl).Host, next.ConnectedTo!.Host);
        Assert.DoesNotContain(next.Sent, p => (int?)p["op"] == (int)(resumes ? GatewayOpcode.Identify : GatewayOpcode.Resume));
        Assert.Equal(code, client.Status.LastCloseCode);
        if (resumes)
        {
            Assert.Equal("session-1", (string?)first["d"]!["session_id"]);
        }
        else
        {
            Assert.Null(client.Status.SessionId);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task InvalidSession_ResumableFlagDecides(bool resumable)
    {
        var (_, socket) = await ReadyAsync();

        socket.Push(new JsonObject { ["op"] = 9, ["d"] = resumable });
        var next = await NextConnectionAsync();
        next.Hello(SlowHeartbeatMs);
        await next.NextSentAsync(resumable ? GatewayOpcode.Resume : GatewayOpcode.Identify);

        Assert.Equal(GatewayConnection.ReconnectCloseCode, socket.ClientCloseCode);
        Assert.Equal(resumable ? new Uri(ResumeUrl).Host : new Uri(GatewayUrl).Host, next.ConnectedTo!.Host);
    }

    [Fact]
    public async Task InvalidSession_AnswerToResume_NewSessionIdentified()
    {
        var (_, socket) = await ReadyAsync();
        socket.CloseFromServer(4000);
        var resuming = await NextConnectionAsync();
        resuming.Hello(SlowHeartbeatMs);
        await resuming.NextSentAsync(GatewayOpcode.Resume);

        resuming.Push(new JsonObject { ["op"] = 9, ["d"] = false });
        var fresh = await NextConnectionAsync();
        fresh.Hello(SlowHeartbeatMs);
        var identify = await fresh.NextSentAsync(GatewayOpcode.Identify);

        Assert.Equal(new Uri(GatewayUrl).Host, fresh.ConnectedTo!.Host);
        Assert.Equal(FakeDiscordServer.DefaultBotToken, (string?)identify["d"]!["token"]);
    }

    [Fact]
    public async Task Reconnect_AfterFailureWaitsBackoffOnTheClock()
    {
        var client = Start(o =>
        {
            o.InitialReconnectDelay = TimeSpan.FromSeconds(1);
            o.MaxReconnectDelay = TimeSpan.FromSeconds(1);
        });
        var first = await NextConnectionAsync();
        first.Hello(SlowHeartbeatMs);
        await first.NextSentAsync(GatewayOpcode.Identify);

        first.CloseFromServer(4000);
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Reconnecting, "reconnect scheduled");
        // One failure: 1 s ± 20%, capped at 1 s. Nothing connects while the clock stands still.
        Assert.False(_opened.Reader.TryRead(out _));

        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await NextConnectionAsync();

        Assert.Equal(new Uri(GatewayUrl).Host, second.ConnectedTo!.Host);
    }

    [Fact]
    public async Task Reconnect_OpSeven_ResumesWithoutWaiting()
    {
        var (_, socket) = await ReadyAsync(configure: o => o.InitialReconnectDelay = TimeSpan.FromMinutes(5));

        socket.Push(new JsonObject { ["op"] = 7, ["d"] = null });
        var next = await NextConnectionAsync();
        next.Hello(SlowHeartbeatMs);
        await next.NextSentAsync(GatewayOpcode.Resume);

        Assert.Equal(new Uri(ResumeUrl).Host, next.ConnectedTo!.Host);
    }

    [Fact]
    public async Task Hello_NeverArrives_TimesOutOnTheClockAndReconnects()
    {
        var client = Start(o => o.HelloTimeout = TimeSpan.FromSeconds(60));
        await NextConnectionAsync();
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Connecting, "connecting");

        _time.Advance(TimeSpan.FromSeconds(60));
        await NextConnectionAsync();

        Assert.Contains("HELLO", client.Status.Error);
    }
}
