using System.Collections.Concurrent;
using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.SocketMode;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Slack.Tests.SocketMode;

public sealed class SlackSocketModeClientTests : FakeSlackTest
{
    // Generous: these wait for real sockets on a loaded machine. Nothing asserts an upper bound on time.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SlashCommand> _handled = new();

    [Fact]
    public async Task Run_Hello_ReportsConnected()
    {
        var (client, run) = Start(Echo);
        await Slack.WaitForSocketAsync(0, Wait);

        await WaitUntil(() => client.Status.Connected);

        Assert.Equal(1, Slack.Calls("apps.connections.open"));
        Assert.NotNull(client.Status.LastHelloAt);
        await StopAsync(run);
    }

    [Fact]
    public async Task SlashCommandEnvelope_Handled_AckCarriesEnvelopeIdAndReply()
    {
        var (_, run) = Start(Echo);
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendSlashCommandAsync("env-1", "/case", "lookup amir");
        var ack = await socket.WaitForAckAsync("env-1", Wait);

        Assert.Equal("env-1", ack.GetProperty("envelope_id").GetString());
        Assert.Equal("echo: lookup amir", ack.GetProperty("payload").GetProperty("text").GetString());
        Assert.Equal("ephemeral", ack.GetProperty("payload").GetProperty("response_type").GetString());
        var command = Assert.Single(_handled);
        Assert.Equal("U111", command.UserId);
        Assert.Equal("C111", command.ChannelId);
        await StopAsync(run);
    }

    [Fact]
    public async Task Envelope_Redelivered_AckedTwiceHandledOnce()
    {
        var (_, run) = Start(Echo);
        var socket = await Slack.WaitForSocketAsync(0, Wait);
        await socket.SendSlashCommandAsync("env-dup", "/case", "help");
        await socket.WaitForAckAsync("env-dup", Wait);

        await socket.SendSlashCommandAsync("env-dup", "/case", "help");
        await socket.SendSlashCommandAsync("env-after", "/case", "list");
        await socket.WaitForAckAsync("env-after", Wait);
        await WaitUntil(() => socket.AckCount == 3);

        Assert.Equal(["help", "list"], _handled.Select(c => c.Text));
        await StopAsync(run);
    }

    [Fact]
    public async Task Envelope_NotAckedWithinSlacksWindow_RedeliveredAckedEachTimeHandledOnce()
    {
        // Slack's ack window on fake time; the client on real time with a long deadline, so its first ack waits for the handler.
        var slackTime = new FakeTimeProvider();
        Slack.Clock = slackTime;
        var release = new TaskCompletionSource();
        var calls = 0;
        var (_, run) = Start(async (command, ct) =>
        {
            Interlocked.Increment(ref calls);
            await release.Task.WaitAsync(ct);
            return new SlashCommandResponse("done: " + command.Text);
        }, o => o.AckDeadline = TimeSpan.FromSeconds(30));
        var socket = await Slack.WaitForSocketAsync(0, Wait);
        await socket.SendSlashCommandAsync("env-slow", "/case", "help");
        await WaitUntil(() => Volatile.Read(ref calls) == 1);

        slackTime.Advance(Slack.EnvelopeAckWindow!.Value);
        // The redelivery is acked at once (without a reply: the first delivery's handler is still running).
        await socket.WaitForAckAsync("env-slow", Wait);
        release.SetResult();
        await WaitUntil(() => socket.AckCount == 2);

        Assert.Equal(1, Volatile.Read(ref calls));
        var redelivered = socket.SentEnvelopes[1];
        Assert.Equal("env-slow", redelivered.GetProperty("envelope_id").GetString());
        Assert.Equal(1, redelivered.GetProperty("retry_attempt").GetInt32());
        Assert.Equal("timeout", redelivered.GetProperty("retry_reason").GetString());
        Assert.Equal(2, socket.SentEnvelopes.Count);
        await StopAsync(run);
    }

    [Fact]
    public async Task EventsApiEnvelope_AckedWithoutPayload()
    {
        var (_, run) = Start(Echo);
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendEnvelopeAsync("env-ev", "events_api", """{"event":{"type":"app_mention"}}""", acceptsResponsePayload: false);
        var ack = await socket.WaitForAckAsync("env-ev", Wait);

        Assert.False(ack.TryGetProperty("payload", out _));
        Assert.Empty(_handled);
        await StopAsync(run);
    }

    [Fact]
    public async Task SlashCommand_HandlerThrows_StillAckedWithApology()
    {
        var (_, run) = Start((_, _) => throw new InvalidOperationException("boom"));
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendSlashCommandAsync("env-err", "/case", "lookup x");
        var ack = await socket.WaitForAckAsync("env-err", Wait);

        Assert.Contains("went wrong", ack.GetProperty("payload").GetProperty("text").GetString(), StringComparison.Ordinal);
        await StopAsync(run);
    }

    [Fact]
    public async Task SlashCommand_HandlerTooSlow_AckedWithoutReplyAtDeadline()
    {
        var release = new TaskCompletionSource<SlashCommandResponse?>();
        var (_, run) = Start((_, _) => release.Task, o => o.AckDeadline = TimeSpan.FromMilliseconds(100));
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendSlashCommandAsync("env-slow", "/case", "lookup x");
        var ack = await socket.WaitForAckAsync("env-slow", Wait);

        Assert.False(ack.TryGetProperty("payload", out _));
        release.SetResult(null);
        await StopAsync(run);
    }

    [Theory]
    [InlineData("refresh_requested")]
    [InlineData("warning")]
    [InlineData("some_future_reason")]
    public async Task Disconnect_Refresh_OpensNewSocketBeforeClosingOld(string reason)
    {
        var (client, run) = Start(Echo);
        var old = await Slack.WaitForSocketAsync(0, Wait);
        await WaitUntil(() => client.Status.Connected);
        Slack.AutoHello = false;

        await old.SendDisconnectAsync(reason);
        var replacement = await Slack.WaitForSocketAsync(1, Wait);

        // The client waits for the replacement's hello before it drops the old socket.
        Assert.False(old.Closed.IsCompleted);
        await old.SendSlashCommandAsync("env-old", "/case", "help");
        await old.WaitForAckAsync("env-old", Wait);
        await replacement.SendHelloAsync();
        await old.Closed.WaitAsync(Wait);
        await replacement.SendSlashCommandAsync("env-new", "/case", "list");
        await replacement.WaitForAckAsync("env-new", Wait);
        Assert.Equal(2, Slack.Calls("apps.connections.open"));
        Assert.False(replacement.Closed.IsCompleted);
        await WaitUntil(() => client.Status.OpenConnections == 1);
        await StopAsync(run);
    }

    [Fact]
    public async Task Disconnect_LinkDisabled_StopsWithoutReconnecting()
    {
        var (client, run) = Start(Echo);
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendDisconnectAsync("link_disabled");
        await run.WaitAsync(Wait);

        Assert.Equal(1, Slack.Calls("apps.connections.open"));
        Assert.Contains("link_disabled", client.Status.StoppedReason, StringComparison.Ordinal);
        Assert.False(client.Status.Connected);
        Assert.Equal(0, client.Status.OpenConnections);
    }

    [Fact]
    public async Task Socket_Dropped_ReconnectsWithFreshUrl()
    {
        var (client, run) = Start(Echo);
        var first = await Slack.WaitForSocketAsync(0, Wait);

        first.Drop();
        var second = await Slack.WaitForSocketAsync(1, Wait);
        await second.SendSlashCommandAsync("env-2", "/case", "help");
        await second.WaitForAckAsync("env-2", Wait);

        Assert.Equal(2, Slack.Calls("apps.connections.open"));
        await WaitUntil(() => client.Status.Connected);
        Assert.Equal(1, client.Status.OpenConnections);
        await StopAsync(run);
    }

    [Fact]
    public async Task Connect_NoHello_RetriesWithBackoffThenConnects()
    {
        Slack.AutoHello = false;
        var (client, run) = Start(Echo, o => o.HelloTimeout = TimeSpan.FromSeconds(1));
        await Slack.WaitForSocketAsync(0, Wait);
        await WaitUntil(() => client.Status.ConsecutiveFailures >= 1);

        Slack.AutoHello = true;
        await WaitUntil(() => client.Status.Connected);

        Assert.True(Slack.Calls("apps.connections.open") >= 2);
        Assert.Equal(0, client.Status.ConsecutiveFailures);
        // Sockets that never said hello are not counted as open.
        Assert.Equal(1, client.Status.OpenConnections);
        await StopAsync(run);
    }

    [Fact]
    public async Task Connect_RateLimited_WaitsRetryAfterThenConnects()
    {
        Slack.Enqueue("apps.connections.open", FakeResponse.RateLimited(0));
        Slack.Enqueue("apps.connections.open", FakeResponse.Error("internal_error"));

        var (client, run) = Start(Echo);
        await WaitUntil(() => client.Status.Connected);

        Assert.Equal(3, Slack.Calls("apps.connections.open"));
        await StopAsync(run);
    }

    [Fact]
    public async Task Connect_InvalidAppToken_FailsFastAsConfigurationError()
    {
        var (client, run) = Start(Echo, o => o.AppToken = "xapp-fake-wrong-token");

        var e = await Assert.ThrowsAsync<SlackApiException>(() => run.WaitAsync(Wait));

        Assert.Equal(SlackErrorClass.Configuration, e.ErrorClass);
        Assert.Equal(1, Slack.Calls("apps.connections.open"));
        Assert.NotNull(client.Status.StoppedReason);
    }

    [Fact]
    public async Task Connect_AlwaysFailing_GivesUpAfterMaxFailures()
    {
        for (var i = 0; i < 3; i++)
        {
            Slack.Enqueue("apps.connections.open", FakeResponse.Html(503));
        }

        var (_, run) = Start(Echo, o => o.MaxConsecutiveFailures = 1);

        var e = await Assert.ThrowsAsync<SlackApiException>(() => run.WaitAsync(Wait));

        Assert.Equal("connect_failed", e.Error);
    }

    private Task<SlashCommandResponse?> Echo(SlashCommand command, CancellationToken ct)
    {
        _handled.Enqueue(command);
        return Task.FromResult<SlashCommandResponse?>(new SlashCommandResponse("echo: " + command.Text));
    }

    private (SlackSocketModeClient Client, Task Run) Start(SlashCommandHandler handler, Action<SlackSocketModeOptions>? configure = null)
    {
        var api = CreateClient(o => o.MaxAttempts = 2);
        var options = new SlackSocketModeOptions
        {
            AppToken = FakeSlackServer.DefaultAppToken,
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            MinHealthyConnection = TimeSpan.Zero,
            HelloTimeout = TimeSpan.FromSeconds(20),
        };
        configure?.Invoke(options);
        var client = new SlackSocketModeClient(api, options, handler, TimeProvider.System, NullLogger<SlackSocketModeClient>.Instance);
        return (client, Task.Run(() => client.RunAsync(_stop.Token)));
    }

    private async Task StopAsync(Task run)
    {
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Wait));
    }

    private static Task WaitUntil(Func<bool> condition) => Eventually.TrueAsync(condition, Wait);
}
