using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Discord.Gateway;

public enum GatewayState
{
    Stopped,
    Connecting,
    Identifying,
    Resuming,
    Ready,
    Reconnecting,
    /// <summary>Stopped for good: see <see cref="GatewayStatus.Error"/>.</summary>
    Fatal,
}

/// <summary>A snapshot of the gateway connection, for <c>/healthz</c>.</summary>
public sealed record GatewayStatus(
    GatewayState State,
    string? SessionId,
    int? Sequence,
    DateTimeOffset? LastHeartbeatAck,
    TimeSpan? Latency,
    int Reconnects,
    int? LastCloseCode,
    string? Error);

/// <summary>One op-0 event (e.g. <c>INTERACTION_CREATE</c>) with its data.</summary>
/// <param name="ReceivedTimestamp">From <see cref="TimeProvider.GetTimestamp"/> when the frame was read: deadlines count from here.</param>
public sealed record GatewayDispatch(string EventName, int? Sequence, JsonElement Data, long ReceivedTimestamp);

/// <summary>
/// A single-shard Discord gateway v10 connection: Hello, jittered heartbeats with zombie detection, Identify,
/// READY, Resume with replay, op 7 Reconnect, op 9 Invalid Session, capped jittered backoff, and a
/// <see cref="DiscordGatewayFatalException"/> (no reconnect loop) on close codes 4004 and 4010-4014.
/// Dispatches are handed to <see cref="DispatchHandler"/> off the read loop, so a slow handler never delays heartbeats.
/// https://discord.com/developers/docs/events/gateway
/// </summary>
public sealed class DiscordGatewayClient
{
    private const int OpDispatch = 0;
    private const int OpHeartbeat = 1;
    private const int OpIdentify = 2;
    private const int OpResume = 6;
    private const int OpReconnect = 7;
    private const int OpInvalidSession = 9;
    private const int OpHello = 10;
    private const int OpHeartbeatAck = 11;

    /// <summary>Our close code for "reconnecting": anything but 1000/1001 keeps the session resumable.</summary>
    private const WebSocketCloseStatus ReconnectClose = (WebSocketCloseStatus)4900;

    private readonly DiscordRestClient _rest;
    private readonly DiscordGatewayOptions _options;
    private readonly ILogger<DiscordGatewayClient> _logger;
    private readonly TimeProvider _time;
    private readonly Func<ClientWebSocket> _socketFactory;
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
        TimeProvider? time = null,
        Func<ClientWebSocket>? socketFactory = null)
    {
        _rest = rest;
        _options = options.Value;
        _logger = logger ?? NullLogger<DiscordGatewayClient>.Instance;
        _time = time ?? TimeProvider.System;
        _socketFactory = socketFactory ?? (() => new ClientWebSocket());
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

            ConnectionOutcome outcome;
            try
            {
                var url = resume ? _resumeUrl! : await GatewayUrlAsync(ct).ConfigureAwait(false);
                outcome = await RunConnectionAsync(url, resume, dispatches, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DiscordApiException { Status: System.Net.HttpStatusCode.Unauthorized }
                || (e is DiscordClientStoppedException && _rest.Health.TokenRejected))
            {
                Fail(GatewayCloseCodes.AuthenticationFailed, $"GET /gateway/bot rejected the bot token: {e.Message}");
                throw new DiscordGatewayFatalException(GatewayCloseCodes.AuthenticationFailed, Status.Error!);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is DiscordApiException or HttpRequestException or TimeoutException or DiscordClientStoppedException)
            {
                outcome = new ConnectionOutcome(GatewayCloseAction.Reidentify, $"could not get the gateway URL: {e.Message}", null, false, false);
            }

            if (ct.IsCancellationRequested)
            {
                return;
            }

            if (outcome.Action == GatewayCloseAction.Fatal)
            {
                Fail(outcome.CloseCode, outcome.Reason);
                throw new DiscordGatewayFatalException(outcome.CloseCode ?? 0, outcome.Reason);
            }

            if (outcome.ReachedReady)
            {
                failures = 0;
                resumeFailures = 0;
            }
            else
            {
                failures++;
                resumeFailures += resume ? 1 : 0;
                if (failures >= _options.MaxConsecutiveFailures)
                {
                    var reason = $"gave up after {failures} connection attempts in a row without READY; last: {outcome.Reason}";
                    Fail(outcome.CloseCode, reason);
                    throw new DiscordGatewayFatalException(outcome.CloseCode ?? 0, reason);
                }
            }

            if (outcome.Action == GatewayCloseAction.Reidentify)
            {
                ForgetSession();
            }

            var delay = outcome.Immediate ? TimeSpan.Zero : Backoff(failures);
            Update(s => s with { State = GatewayState.Reconnecting, Reconnects = s.Reconnects + 1, LastCloseCode = outcome.CloseCode, Error = outcome.Reason });
            _logger.LogWarning("Discord gateway disconnected ({Reason}); {Action} in {Delay}", outcome.Reason,
                outcome.Action == GatewayCloseAction.Resume && _sessionId is not null ? "resuming" : "identifying", delay);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(_options.MaxReconnectDelay.TotalMilliseconds,
            _options.InitialReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 20)));
        return TimeSpan.FromMilliseconds(ceiling * (0.75 + Random.Shared.NextDouble() / 2));
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

    private async Task<ConnectionOutcome> RunConnectionAsync(Uri url, bool resume, ChannelWriter<GatewayDispatch> dispatches, CancellationToken ct)
    {
        using var socket = _socketFactory();
        // Not linked to ct: cancelling a receive aborts the socket, and stopping should send a proper close (1000) instead.
        using var connectionCts = new CancellationTokenSource();
        var connection = new Connection(socket, connectionCts);
        await using var stopping = ct.Register(() => _ = StopConnectionAsync(connection));
        Update(s => s with { State = GatewayState.Connecting });
        _logger.LogInformation("Discord gateway connecting to {Url} ({Mode})", url.GetLeftPart(UriPartial.Path), resume ? "resume" : "identify");

        try
        {
            using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            await socket.ConnectAsync(url, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is WebSocketException or OperationCanceledException or HttpRequestException)
        {
            return new ConnectionOutcome(GatewayCloseAction.Resume, $"connect failed: {e.Message}", null, false, false);
        }

        Task? heartbeat = null;
        try
        {
            // Until HELLO, then until READY/RESUMED, reads have a deadline; after that the heartbeat watches liveness.
            var deadline = _time.GetUtcNow() + _options.HelloTimeout;
            while (true)
            {
                var wait = connection.Ready ? (TimeSpan?)null : deadline - _time.GetUtcNow();
                var (payload, closeCode) = await ReceiveAsync(connection, wait, connectionCts.Token).ConfigureAwait(false);
                if (payload is null)
                {
                    var action = GatewayCloseCodes.Classify(closeCode);
                    var reason = action == GatewayCloseAction.Fatal && closeCode is { } code
                        ? GatewayCloseCodes.Describe(code)
                        : $"closed by Discord with {(closeCode is null ? "no code" : closeCode.ToString())}";
                    return new ConnectionOutcome(action, reason, closeCode, connection.Ready, false);
                }

                if (payload.Sequence is { } s)
                {
                    _sequence = s;
                }

                switch (payload.Op)
                {
                    case OpHello:
                        var hello = payload.Data?.Deserialize(DiscordJsonContext.Default.HelloData);
                        if (hello is not { HeartbeatInterval: > 0 })
                        {
                            return new ConnectionOutcome(GatewayCloseAction.Resume, "HELLO without heartbeat_interval", null, false, false);
                        }

                        heartbeat = Task.Run(() => HeartbeatLoopAsync(connection, TimeSpan.FromMilliseconds(hello.HeartbeatInterval)), CancellationToken.None);
                        if (resume)
                        {
                            Update(st => st with { State = GatewayState.Resuming });
                            await SendAsync(connection, OpResume, new ResumeData(_options.BotToken, _sessionId!, _sequence),
                                DiscordJsonContext.Default.ResumeData).ConfigureAwait(false);
                        }
                        else
                        {
                            await WaitForIdentifySlotAsync(connectionCts.Token).ConfigureAwait(false);
                            Update(st => st with { State = GatewayState.Identifying });
                            await SendAsync(connection, OpIdentify,
                                new IdentifyData(_options.BotToken, _options.Intents, new IdentifyProperties(Environment.OSVersion.Platform.ToString().ToLowerInvariant(), "DetaineeAlertBot", "DetaineeAlertBot"),
                                    _options.ShardCount > 1 ? [_options.ShardId, _options.ShardCount] : null),
                                DiscordJsonContext.Default.IdentifyData).ConfigureAwait(false);
                            _lastIdentify = _time.GetUtcNow();
                        }

                        deadline = _time.GetUtcNow() + _options.ReadyTimeout;
                        break;

                    case OpHeartbeatAck:
                        var now = _time.GetUtcNow();
                        connection.AckReceived = true;
                        Update(st => st with { LastHeartbeatAck = now, Latency = now - connection.HeartbeatSentAt });
                        break;

                    case OpHeartbeat:
                        // Discord asks for a heartbeat now.
                        await SendHeartbeatAsync(connection).ConfigureAwait(false);
                        break;

                    case OpReconnect:
                        return new ConnectionOutcome(GatewayCloseAction.Resume, "Discord requested a reconnect (op 7)", null, connection.Ready, Immediate: true);

                    case OpInvalidSession:
                        var resumable = payload.Data is { ValueKind: JsonValueKind.True };
                        return new ConnectionOutcome(resumable ? GatewayCloseAction.Resume : GatewayCloseAction.Reidentify,
                            $"invalid session (op 9, resumable: {resumable})", null, connection.Ready, false);

                    case OpDispatch:
                        OnDispatch(connection, payload, dispatches);
                        break;

                    default:
                        _logger.LogDebug("Discord gateway op {Op} ignored", payload.Op);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var reason = connection.Zombie
                ? "no heartbeat ACK since the last heartbeat (zombie connection)"
                : connection.Ready ? "connection cancelled" : "timed out waiting for HELLO/READY";
            return new ConnectionOutcome(GatewayCloseAction.Resume, reason, null, connection.Ready, false);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is WebSocketException or JsonException or InvalidDataException)
        {
            return new ConnectionOutcome(GatewayCloseAction.Resume, $"connection failed: {e.Message}", null, connection.Ready, false);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is WebSocketException or OperationCanceledException)
        {
            // Stopping: Discord may drop the socket instead of finishing the close handshake.
            return new ConnectionOutcome(GatewayCloseAction.Resume, "stopped", null, connection.Ready, false);
        }
        finally
        {
            await connectionCts.CancelAsync().ConfigureAwait(false);
            if (heartbeat is not null)
            {
                await heartbeat.ConfigureAwait(false);
            }

            await CloseAsync(socket, ct.IsCancellationRequested ? WebSocketCloseStatus.NormalClosure : ReconnectClose).ConfigureAwait(false);
        }
    }

    private void OnDispatch(Connection connection, GatewayPayload payload, ChannelWriter<GatewayDispatch> dispatches)
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

    private async Task HeartbeatLoopAsync(Connection connection, TimeSpan interval)
    {
        var ct = connection.Cancellation.Token;
        try
        {
            // First beat after interval * jitter, so that many clients do not beat in step.
            await Task.Delay(interval * Random.Shared.NextDouble(), _time, ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                if (!connection.AckReceived)
                {
                    _logger.LogWarning("Discord gateway missed a heartbeat ACK; reconnecting");
                    connection.Zombie = true;
                    await connection.Cancellation.CancelAsync().ConfigureAwait(false);
                    return;
                }

                connection.AckReceived = false;
                await SendHeartbeatAsync(connection).ConfigureAwait(false);
                await Task.Delay(interval, _time, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The connection is going away; the read loop reports why.
        }
    }

    private Task SendHeartbeatAsync(Connection connection)
    {
        connection.HeartbeatSentAt = _time.GetUtcNow();
        return SendRawAsync(connection, OpHeartbeat, _sequence is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null");
    }

    private Task SendAsync<T>(Connection connection, int op, T data, JsonTypeInfo<T> type) =>
        SendRawAsync(connection, op, JsonSerializer.Serialize(data, type));

    private async Task SendRawAsync(Connection connection, int op, string dataJson)
    {
        var frame = System.Text.Encoding.UTF8.GetBytes($$"""{"op":{{op}},"d":{{dataJson}}}""");
        await connection.SendLock.WaitAsync(connection.Cancellation.Token).ConfigureAwait(false);
        try
        {
            await connection.Socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, connection.Cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            connection.SendLock.Release();
        }
    }

    private async Task<(GatewayPayload? Payload, int? CloseCode)> ReceiveAsync(Connection connection, TimeSpan? deadline, CancellationToken ct)
    {
        using var timeout = deadline is { } d ? new CancellationTokenSource(d > TimeSpan.Zero ? d : TimeSpan.FromMilliseconds(1), _time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        var token = linked?.Token ?? ct;

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var result = await connection.Socket.ReceiveAsync(buffer.GetMemory(4096), token).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (null, (int?)connection.Socket.CloseStatus);
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > _options.MaxMessageBytes)
            {
                throw new InvalidDataException($"gateway message larger than {_options.MaxMessageBytes} bytes");
            }

            if (result.EndOfMessage)
            {
                return (JsonSerializer.Deserialize(buffer.WrittenSpan, DiscordJsonContext.Default.GatewayPayload), null);
            }
        }
    }

    /// <summary>Shutdown: close with 1000 (ends the session), let the read loop see the close, and cut it off if Discord does not answer.</summary>
    private async Task StopConnectionAsync(Connection connection)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await connection.SendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "shutting down", timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                connection.SendLock.Release();
            }

            await Task.Delay(TimeSpan.FromSeconds(2), connection.Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing anyway.
        }

        try
        {
            await connection.Cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
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

    private static async Task CloseAsync(ClientWebSocket socket, WebSocketCloseStatus status)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(status, "reconnecting", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Best effort.
            }
        }

        socket.Abort();
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

    private sealed record ConnectionOutcome(GatewayCloseAction Action, string Reason, int? CloseCode, bool ReachedReady, bool Immediate);

    private sealed class Connection(ClientWebSocket socket, CancellationTokenSource cancellation)
    {
        public ClientWebSocket Socket { get; } = socket;
        public CancellationTokenSource Cancellation { get; } = cancellation;
        public SemaphoreSlim SendLock { get; } = new(1, 1);
        public volatile bool AckReceived = true;
        public volatile bool Zombie;
        public volatile bool Ready;
        public DateTimeOffset HeartbeatSentAt;
    }
}
