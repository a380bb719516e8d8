using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>
/// A single-shard Discord gateway v10 connection: Hello, jittered heartbeats with zombie detection, Identify,
/// READY, Resume with replay, op 7 Reconnect, op 9 Invalid Session, reconnects on the shared <see cref="Backoff"/>, and a
/// <see cref="DiscordGatewayFatalException"/> (no reconnect loop) on close codes 4004 and 4010-4014.
/// Dispatches are handed to <see cref="DispatchHandler"/> off the read loop, so a slow handler never delays heartbeats.
/// The parts: this class (session, reconnect policy, payload handling), <see cref="GatewayConnection"/> (one socket's
/// framing and close), <see cref="GatewayHeartbeat"/> (liveness), <see cref="GatewayCloseCodes"/> (what a close means).
/// https://discord.com/developers/docs/events/gateway
/// </summary>
public sealed class DiscordGatewayClient
{
    private readonly DiscordRestClient _rest;
    private readonly DiscordGatewayOptions _options;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly TimeProvider _time;
    private readonly Func<IGatewaySocket> _socketFactory;
    private readonly Func<double> _heartbeatJitter;
    private readonly Backoff _reconnectBackoff;
    private readonly Lock _statusLock = new();

    private GatewayStatus _status = new(GatewayState.Stopped, null, null, null, null, 0, null, null);
    private Uri? _gatewayUrl;
    private Uri? _resumeUrl;
    private string? _sessionId;
    private int? _sequence;
    private DateTimeOffset? _lastIdentify;

    public DiscordGatewayClient(
        DiscordRestClient rest,
        IOptions<DiscordGatewayOptions> options,
        ILogger<DiscordGatewayClient>? logger = null,
        TimeProvider? time = null)
        : this(rest, options, logger, time, socketFactory: null, heartbeatJitter: null)
    {
    }

    /// <param name="socketFactory">A socket per connection (tests: a scripted one); default <see cref="ClientWebSocketGatewaySocket"/>.</param>
    /// <param name="heartbeatJitter">The fraction of the interval before the first beat, in [0, 1); default random.</param>
    internal DiscordGatewayClient(
        DiscordRestClient rest,
        IOptions<DiscordGatewayOptions> options,
        ILogger<DiscordGatewayClient>? logger,
        TimeProvider? time,
        Func<IGatewaySocket>? socketFactory,
        Func<double>? heartbeatJitter)
    {
        _rest = rest;
        _options = options.Value;
        _logger = logger ?? NullLogger<DiscordGatewayClient>.Instance;
        _time = time ?? TimeProvider.System;
        _socketFactory = socketFactory ?? (() => new ClientWebSocketGatewaySocket());
        _heartbeatJitter = heartbeatJitter ?? Random.Shared.NextDouble;
        _reconnectBackoff = new Backoff(_options.InitialReconnectDelay, _options.MaxReconnectDelay);
    }

    /// <summary>Called for each dispatch (READY and RESUMED excepted), at most <see cref="DiscordGatewayOptions.DispatchConcurrency"/> at once.</summary>
    public Func<GatewayDispatch, CancellationToken, Task>? DispatchHandler { get; set; }

    /// <summary>Raised on every state change; keep handlers quick.</summary>
    public event Action<GatewayStatus>? StatusChanged;

    public GatewayStatus Status
    {
        get
        {
            lock (_statusLock)
            {
                return _status;
            }
        }
    }

    /// <summary>The application id from READY, once connected.</summary>
    public string? ApplicationId { get; private set; }

    /// <summary>
    /// Connects and stays connected until <paramref name="ct"/> is cancelled. Throws
    /// <see cref="DiscordGatewayFatalException"/> when Discord refuses the session for good, or after
    /// <see cref="DiscordGatewayOptions.MaxConsecutiveFailures"/> attempts in a row that never got ready.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var dispatches = Channel.CreateBounded<GatewayDispatch>(new BoundedChannelOptions(_options.DispatchQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        using var workersCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, Math.Max(1, _options.DispatchConcurrency))
            .Select(_ => Task.Run(() => DispatchWorkerAsync(dispatches.Reader, workersCts.Token), CancellationToken.None))
            .ToArray();

        try
        {
            await ConnectLoopAsync(dispatches.Writer, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            dispatches.Writer.TryComplete();
            await workersCts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(workers).ConfigureAwait(false);
            if (Status.State != GatewayState.Fatal)
            {
                Update(s => s with { State = GatewayState.Stopped });
            }
        }
    }

    /// <summary>One connection after another: resume while the session lasts, identify otherwise, and give up on a fatal
    /// close or too many attempts in a row that never got ready.</summary>
    private async Task ConnectLoopAsync(ChannelWriter<GatewayDispatch> dispatches, CancellationToken ct)
    {
        var failures = 0;
        var resumeFailures = 0;
        while (!ct.IsCancellationRequested)
        {
            var resume = _sessionId is not null && _resumeUrl is not null && resumeFailures < _options.MaxResumeAttempts;
            if (!resume)
            {
                ForgetSession();
            }

            var outcome = await ConnectOnceAsync(resume, dispatches, ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested)
            {
                return;
            }

            failures = outcome.ReachedReady ? 0 : failures + 1;
            resumeFailures = outcome.ReachedReady ? 0 : resumeFailures + (resume ? 1 : 0);
            ThrowIfFatal(outcome, failures);
            if (outcome.Action == GatewayCloseAction.Reidentify)
            {
                ForgetSession();
            }

            await WaitBeforeReconnectAsync(outcome, failures, ct).ConfigureAwait(false);
        }
    }

    private async Task<ConnectionOutcome> ConnectOnceAsync(bool resume, ChannelWriter<GatewayDispatch> dispatches, CancellationToken ct)
    {
        try
        {
            var url = resume ? _resumeUrl! : await GatewayUrlAsync(ct).ConfigureAwait(false);
            return await RunConnectionAsync(url, resume, dispatches, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DiscordApiException { Status: System.Net.HttpStatusCode.Unauthorized }
            || (e is DiscordClientStoppedException && _rest.Health.TokenRejected))
        {
            return ConnectionOutcome.Fatal(GatewayCloseCodes.AuthenticationFailed, $"GET /gateway/bot rejected the bot token: {e.Message}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is DiscordApiException or HttpRequestException or TimeoutException or DiscordClientStoppedException)
        {
            return new ConnectionOutcome(GatewayCloseAction.Reidentify, $"could not get the gateway URL: {e.Message}", null, false);
        }
    }

    private void ThrowIfFatal(ConnectionOutcome outcome, int failures)
    {
        var reason = outcome.Action == GatewayCloseAction.Fatal ? outcome.Reason
            : failures >= _options.MaxConsecutiveFailures ? $"gave up after {failures} connection attempts in a row without READY; last: {outcome.Reason}"
            : null;
        if (reason is not null)
        {
            Fail(outcome.CloseCode, reason);
            throw new DiscordGatewayFatalException(outcome.CloseCode ?? 0, reason);
        }
    }

    /// <summary>Reconnect waits: the shared <see cref="Backoff"/> over consecutive failures (0 after a session that was
    /// ready: one initial delay), none when Discord asked for the reconnect (op 7).</summary>
    private async Task WaitBeforeReconnectAsync(ConnectionOutcome outcome, int failures, CancellationToken ct)
    {
        var delay = outcome.Immediate ? TimeSpan.Zero : _reconnectBackoff.Delay(failures);
        // Armed before the state says Reconnecting, so whoever watches the state (a test on fake time) can advance at once.
        var wait = delay > TimeSpan.Zero ? Task.Delay(delay, _time, ct) : Task.CompletedTask;
        Update(s => s with { State = GatewayState.Reconnecting, Reconnects = s.Reconnects + 1, LastCloseCode = outcome.CloseCode, Error = outcome.Reason });
        _logger.LogWarning("Discord gateway disconnected ({Reason}); {Action} in {Delay}", outcome.Reason,
            _sessionId is not null ? "resuming" : "identifying", delay);
        await wait.ConfigureAwait(false);
    }

    private async Task<Uri> GatewayUrlAsync(CancellationToken ct)
    {
        var bot = await _rest.GetGatewayBotAsync(ct).ConfigureAwait(false);
        if (bot.SessionStartLimit is { Remaining: <= 0 } limit)
        {
            // Identifying past the budget resets the token; wait for the budget instead (bounded by Discord's reset).
            var wait = TimeSpan.FromMilliseconds(Math.Max(limit.ResetAfter, 1000));
            _logger.LogError("Discord session start limit used up ({Total} per day); waiting {Wait} before identifying", limit.Total, wait);
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }

        _gatewayUrl = WithQuery(bot.Url);
        return _gatewayUrl;
    }

    private static Uri WithQuery(string url) => new UriBuilder(url) { Query = "v=10&encoding=json" }.Uri;

    /// <summary>One socket from connect to close; every way it can end becomes a <see cref="ConnectionOutcome"/>.</summary>
    private async Task<ConnectionOutcome> RunConnectionAsync(Uri url, bool resume, ChannelWriter<GatewayDispatch> dispatches, CancellationToken ct)
    {
        using var connection = new GatewayConnection(_socketFactory(), _options.MaxMessageBytes, _time);
        await using var stopping = ct.Register(() => _ = connection.StopAsync());
        Update(s => s with { State = GatewayState.Connecting });
        _logger.LogInformation("Discord gateway connecting to {Url} ({Mode})", url.GetLeftPart(UriPartial.Path), resume ? "resume" : "identify");
        try
        {
            await connection.ConnectAsync(url, _options.ConnectTimeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            return new ConnectionOutcome(GatewayCloseAction.Resume, $"connect failed: {e.Message}", null, false);
        }

        try
        {
            return await ReceiveLoopAsync(connection, resume, dispatches).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or JsonException or InvalidDataException)
        {
            return ConnectionOutcome.Failed(connection, e, stopping: ct.IsCancellationRequested);
        }
        finally
        {
            await connection.Cancellation.CancelAsync().ConfigureAwait(false);
            await (connection.Heartbeat?.Completion ?? Task.CompletedTask).ConfigureAwait(false);
            await connection.CloseAsync(stopping: ct.IsCancellationRequested).ConfigureAwait(false);
        }
    }

    /// <summary>Reads and handles frames until one ends the connection.</summary>
    private async Task<ConnectionOutcome> ReceiveLoopAsync(GatewayConnection connection, bool resume, ChannelWriter<GatewayDispatch> dispatches)
    {
        // Until HELLO, then until READY/RESUMED, reads have a deadline; after that the heartbeat watches liveness.
        var deadline = _time.GetUtcNow() + _options.HelloTimeout;
        while (true)
        {
            var frame = await connection.ReceiveAsync(connection.Ready ? null : deadline - _time.GetUtcNow()).ConfigureAwait(false);
            if (frame.Payload is not { } payload)
            {
                return ConnectionOutcome.Closed(frame.CloseCode, connection.Ready);
            }

            if (payload.Sequence is { } s)
            {
                _sequence = s;
            }

            if (await HandleAsync(connection, payload, resume, dispatches).ConfigureAwait(false) is { } outcome)
            {
                return outcome;
            }

            if ((GatewayOpcode)payload.Op == GatewayOpcode.Hello)
            {
                deadline = _time.GetUtcNow() + _options.ReadyTimeout;
            }
        }
    }

    /// <summary>One payload by opcode; returns how the connection ends when this payload ends it.</summary>
    private async Task<ConnectionOutcome?> HandleAsync(GatewayConnection connection, GatewayPayload payload, bool resume, ChannelWriter<GatewayDispatch> dispatches)
    {
        switch ((GatewayOpcode)payload.Op)
        {
            case GatewayOpcode.Hello:
                return await OnHelloAsync(connection, payload, resume).ConfigureAwait(false)
                    ? null
                    : new ConnectionOutcome(GatewayCloseAction.Resume, "HELLO without heartbeat_interval", null, false);
            case GatewayOpcode.HeartbeatAck:
                OnHeartbeatAck(connection);
                return null;
            case GatewayOpcode.Heartbeat:
                // Discord asks for a heartbeat now.
                await (connection.Heartbeat?.BeatNowAsync() ?? connection.SendHeartbeatAsync(_sequence)).ConfigureAwait(false);
                return null;
            case GatewayOpcode.Reconnect:
                return new ConnectionOutcome(GatewayCloseAction.Resume, "Discord requested a reconnect (op 7)", null, connection.Ready, Immediate: true);
            case GatewayOpcode.InvalidSession:
                return ConnectionOutcome.InvalidSession(resumable: payload.Data is { ValueKind: JsonValueKind.True }, connection.Ready);
            case GatewayOpcode.Dispatch:
                OnDispatch(connection, payload, dispatches);
                return null;
            default:
                _logger.LogDebug("Discord gateway op {Op} ignored", payload.Op);
                return null;
        }
    }

    /// <summary>HELLO: start the heartbeat, then Resume or Identify. False when HELLO carries no interval.</summary>
    private async Task<bool> OnHelloAsync(GatewayConnection connection, GatewayPayload payload, bool resume)
    {
        var hello = payload.Data?.Deserialize(DiscordJsonContext.Default.HelloData);
        if (hello is not { HeartbeatInterval: > 0 })
        {
            return false;
        }

        connection.Heartbeat = GatewayHeartbeat.Start(connection, TimeSpan.FromMilliseconds(hello.HeartbeatInterval), _heartbeatJitter(),
            _time, () => _sequence, _logger);
        if (resume)
        {
            Update(st => st with { State = GatewayState.Resuming });
            await connection.SendAsync(GatewayOpcode.Resume, new ResumeData(_options.BotToken, _sessionId!, _sequence), DiscordJsonContext.Default.ResumeData)
                .ConfigureAwait(false);
            return true;
        }

        await WaitForIdentifySlotAsync(connection.Cancellation.Token).ConfigureAwait(false);
        Update(st => st with { State = GatewayState.Identifying });
        var properties = new IdentifyProperties(Environment.OSVersion.Platform.ToString().ToLowerInvariant(), "DetaineeAlertBot", "DetaineeAlertBot");
        var shard = _options.ShardCount > 1 ? new[] { _options.ShardId, _options.ShardCount } : null;
        await connection.SendAsync(GatewayOpcode.Identify, new IdentifyData(_options.BotToken, _options.Intents, properties, shard), DiscordJsonContext.Default.IdentifyData)
            .ConfigureAwait(false);
        _lastIdentify = _time.GetUtcNow();
        return true;
    }

    private void OnHeartbeatAck(GatewayConnection connection)
    {
        if (connection.Heartbeat is not { } heartbeat)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var latency = heartbeat.Acknowledge(now);
        Update(st => st with { LastHeartbeatAck = now, Latency = latency });
    }

    private void OnDispatch(GatewayConnection connection, GatewayPayload payload, ChannelWriter<GatewayDispatch> dispatches)
    {
        switch (payload.EventName)
        {
            case "READY":
                var ready = payload.Data?.Deserialize(DiscordJsonContext.Default.ReadyData);
                _sessionId = ready?.SessionId;
                _resumeUrl = ready?.ResumeGatewayUrl is { Length: > 0 } resumeUrl ? WithQuery(resumeUrl) : _gatewayUrl;
                ApplicationId = ready?.Application?.Id ?? ApplicationId;
                connection.Ready = true;
                Update(s => s with { State = GatewayState.Ready, SessionId = _sessionId, Sequence = _sequence, Error = null });
                _logger.LogInformation("Discord gateway ready (session {SessionId})", _sessionId);
                return;

            case "RESUMED":
                connection.Ready = true;
                Update(s => s with { State = GatewayState.Ready, Sequence = _sequence, Error = null });
                _logger.LogInformation("Discord gateway resumed session {SessionId} at sequence {Sequence}", _sessionId, _sequence);
                return;
        }

        if (payload.EventName is null || payload.Data is not { } data)
        {
            return;
        }

        Update(s => s with { Sequence = _sequence });
        var dispatch = new GatewayDispatch(payload.EventName, payload.Sequence, data, _time.GetTimestamp());
        if (!dispatches.TryWrite(dispatch))
        {
            // The handlers are far behind; waiting here would stall the read loop (and heartbeat ACKs) instead.
            _logger.LogError("Discord gateway dispatch queue full ({Capacity}); dropped {Event} #{Sequence}",
                _options.DispatchQueueCapacity, dispatch.EventName, dispatch.Sequence);
        }
    }

    private async Task DispatchWorkerAsync(ChannelReader<GatewayDispatch> reader, CancellationToken ct)
    {
        try
        {
            await foreach (var dispatch in reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (DispatchHandler is not { } handler)
                {
                    continue;
                }

                try
                {
                    await handler(dispatch, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    _logger.LogError(e, "Discord gateway handler for {Event} #{Sequence} failed", dispatch.EventName, dispatch.Sequence);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task WaitForIdentifySlotAsync(CancellationToken ct)
    {
        if (_lastIdentify is { } last && last + _options.IdentifyInterval - _time.GetUtcNow() is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }

        if (_options.IdentifyLimiter is { } limiter)
        {
            await limiter.WaitAsync(_options.ShardId, ct).ConfigureAwait(false);
        }
    }

    private void ForgetSession()
    {
        _sessionId = null;
        _resumeUrl = null;
        _sequence = null;
        Update(s => s with { SessionId = null, Sequence = null });
    }

    private void Fail(int? closeCode, string reason)
    {
        _logger.LogCritical("Discord gateway stopped: {Reason}", reason);
        Update(s => s with { State = GatewayState.Fatal, LastCloseCode = closeCode, Error = reason });
    }

    private void Update(Func<GatewayStatus, GatewayStatus> change)
    {
        GatewayStatus status;
        lock (_statusLock)
        {
            status = _status = change(_status);
        }

        try
        {
            StatusChanged?.Invoke(status);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Discord gateway status listener failed");
        }
    }

    /// <summary>How a connection ended and what to do next.</summary>
    private sealed record ConnectionOutcome(GatewayCloseAction Action, string Reason, int? CloseCode, bool ReachedReady, bool Immediate = false)
    {
        public static ConnectionOutcome Fatal(int closeCode, string reason) => new(GatewayCloseAction.Fatal, reason, closeCode, false);

        /// <summary>Discord closed the socket: the close code decides between resume, a new session, or stopping.</summary>
        public static ConnectionOutcome Closed(int? closeCode, bool ready)
        {
            var action = GatewayCloseCodes.Classify(closeCode);
            var reason = action == GatewayCloseAction.Fatal && closeCode is { } code
                ? GatewayCloseCodes.Describe(code)
                : $"closed by Discord with {(closeCode is null ? "no code" : closeCode.ToString())}";
            return new ConnectionOutcome(action, reason, closeCode, ready);
        }

        /// <summary>Op 9: resume only when <c>d</c> is true.</summary>
        public static ConnectionOutcome InvalidSession(bool resumable, bool ready) =>
            new(resumable ? GatewayCloseAction.Resume : GatewayCloseAction.Reidentify, $"invalid session (op 9, resumable: {resumable})", null, ready);

        /// <summary>The socket failed, timed out, turned zombie, or we are stopping; all but a stop keep the session resumable.</summary>
        public static ConnectionOutcome Failed(GatewayConnection connection, Exception e, bool stopping)
        {
            var reason = stopping ? "stopped"
                : e is not OperationCanceledException ? $"connection failed: {e.Message}"
                : connection.Zombie ? "no heartbeat ACK since the last heartbeat (zombie connection)"
                : connection.Ready ? "connection cancelled" : "timed out waiting for HELLO/READY";
            return new ConnectionOutcome(GatewayCloseAction.Resume, reason, null, connection.Ready);
        }
    }
}
