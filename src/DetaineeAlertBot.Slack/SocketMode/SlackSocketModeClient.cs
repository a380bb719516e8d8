using System.Net.WebSockets;
using System.Text.Json;
using DetaineeAlertBot.Resilience;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Slack.SocketMode;

/// <summary>Answers one slash command; return null to ack without a visible reply.</summary>
public delegate Task<SlashCommandResponse?> SlashCommandHandler(SlashCommand command, CancellationToken ct);

/// <summary>
/// A Socket Mode client (https://docs.slack.dev/apis/events-api/using-socket-mode) run by one supervisor
/// loop: <c>apps.connections.open</c> for every connection, ready on <c>hello</c>, every envelope acked
/// with its <c>envelope_id</c> on the socket it came in on (slash commands with their reply), redeliveries
/// dropped, and on <c>disconnect</c> a replacement opened before the old socket is closed.
/// </summary>
public sealed class SlackSocketModeClient
{
    private static readonly SlashCommandResponse HandlerFailed =
        new("Sorry, something went wrong while handling that command. Please try again in a minute.");

    private readonly SlackApiClient _api;
    private readonly SlackSocketModeOptions _options;
    private readonly SlashCommandHandler _onSlashCommand;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EnvelopeDeduplicator _dedupe;
    private readonly Backoff _reconnectBackoff;
    private readonly SemaphoreSlim _concurrency;
    private readonly Lock _statusLock = new();
    private SlackSocketModeStatus _status = SlackSocketModeStatus.Initial;
    private int _connectionIds;
    private int _openConnections;

    public SlackSocketModeClient(SlackApiClient api, SlackSocketModeOptions options, SlashCommandHandler onSlashCommand,
        TimeProvider time, ILogger<SlackSocketModeClient> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.AppToken);
        _api = api;
        _options = options;
        _onSlashCommand = onSlashCommand;
        _time = time;
        _logger = logger;
        _dedupe = new EnvelopeDeduplicator(options.DedupeCapacity);
        _reconnectBackoff = new Backoff(options.InitialBackoff, options.MaxBackoff);
        _concurrency = new SemaphoreSlim(options.MaxConcurrentEnvelopes, options.MaxConcurrentEnvelopes);
    }

    /// <summary>Raised on every state change (connect, hello, disconnect, failure, stop).</summary>
    public event Action<SlackSocketModeStatus>? StatusChanged;

    public SlackSocketModeStatus Status
    {
        get
        {
            lock (_statusLock)
            {
                return _status;
            }
        }
    }

    /// <summary>
    /// Keeps a connection open until <paramref name="ct"/> is cancelled or Slack disables Socket Mode
    /// (returns). Throws <see cref="SlackApiException"/> on a configuration error (bad app token), and
    /// gives up after <see cref="SlackSocketModeOptions.MaxConsecutiveFailures"/> failed connects.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        SocketConnection? current = null;
        var failures = 0;
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                SocketConnection next;
                try
                {
                    next = await ConnectAsync(ct).ConfigureAwait(false);
                }
                catch (SlackApiException e) when (e.ErrorClass != SlackErrorClass.Retryable)
                {
                    Update(s => s with { StoppedReason = e.Message });
                    throw;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    failures++;
                    Update(s => s with { ConsecutiveFailures = failures });
                    if (failures >= _options.MaxConsecutiveFailures)
                    {
                        var reason = $"Socket Mode gave up after {failures} failed connects; last error: {e.Message}";
                        Update(s => s with { StoppedReason = reason });
                        throw new SlackApiException("apps.connections.open", "connect_failed", SlackErrorClass.Retryable, reason, inner: e);
                    }

                    // Slack's Retry-After when it gave one, else the shared reconnect Backoff over consecutive failures.
                    var wait = e is SlackApiException { RetryAfter: { } retryAfter } ? retryAfter : _reconnectBackoff.Delay(failures);
                    _logger.LogWarning("Slack Socket Mode connect failed ({Failures} in a row): {Message}; retrying in {Wait} ms",
                        failures, e.Message, (int)wait.TotalMilliseconds);
                    await Task.Delay(wait, _time, ct).ConfigureAwait(false);
                    continue;
                }

                // The replacement is ready: only now drop the old socket, after its in-flight acks.
                if (current is not null)
                {
                    await CloseAsync(current).ConfigureAwait(false);
                }

                current = next;
                var openedAt = _time.GetUtcNow();
                failures = 0;
                Update(s => s with { Connected = true, LastHelloAt = openedAt, ConsecutiveFailures = 0 });

                var end = await current.Ended.WaitAsync(ct).ConfigureAwait(false);
                Update(s => s with { LastDisconnectReason = current.DisconnectReason ?? end.ToString() });
                switch (end)
                {
                    case ConnectionEnd.LinkDisabled:
                        _logger.LogError("Slack disabled Socket Mode for this app (link_disabled): turn Socket Mode on in the app settings, or unset Slack:AppToken");
                        await CloseAsync(current).ConfigureAwait(false);
                        current = null;
                        Update(s => s with { Connected = false, StoppedReason = "Slack disabled Socket Mode (link_disabled): enable it in the app settings or unset Slack:AppToken." });
                        return;

                    case ConnectionEnd.RefreshRequested when _time.GetUtcNow() - openedAt >= _options.MinHealthyConnection:
                        // Keep the old socket delivering while the next one opens.
                        continue;

                    default:
                        await CloseAsync(current).ConfigureAwait(false);
                        current = null;
                        failures++;
                        Update(s => s with { Connected = false, ConsecutiveFailures = failures });
                        // Reconnects: the shared Backoff over consecutive failures, on the client's clock.
                        var wait = _reconnectBackoff.Delay(failures);
                        _logger.LogWarning("Slack socket ended ({End}); reconnecting in {Wait} ms", end, (int)wait.TotalMilliseconds);
                        await Task.Delay(wait, _time, ct).ConfigureAwait(false);
                        break;
                }
            }
        }
        finally
        {
            if (current is not null)
            {
                await CloseAsync(current).ConfigureAwait(false);
            }

            Update(s => s with { Connected = false });
        }
    }

    private async Task<SocketConnection> ConnectAsync(CancellationToken ct)
    {
        var url = await _api.OpenSocketModeUrlAsync(_options.AppToken, ct).ConfigureAwait(false);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
        var connection = new SocketConnection(Interlocked.Increment(ref _connectionIds), socket, OnEnvelope,
            _options.MaxFrameBytes, _time, _logger);
        try
        {
            using var deadline = new CancellationTokenSource(_options.HelloTimeout, _time);
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            await socket.ConnectAsync(url, connectTimeout.Token).ConfigureAwait(false);
            connection.Start();
            connection.Counted = true;
            Interlocked.Increment(ref _openConnections);
            Update(s => s with { OpenConnections = Volatile.Read(ref _openConnections) });
            await connection.Hello.WaitAsync(_options.HelloTimeout, _time, ct).ConfigureAwait(false);
            _logger.LogInformation("Slack Socket Mode connection {Id} is ready (hello received)", connection.Id);
            return connection;
        }
        catch
        {
            await CloseAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    private async Task CloseAsync(SocketConnection connection)
    {
        await connection.CloseAsync(_options.AckDeadline + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        if (connection.Counted)
        {
            connection.Counted = false;
            var open = Math.Max(0, Interlocked.Decrement(ref _openConnections));
            Update(s => s with { OpenConnections = open });
        }
    }

    // Called on the receive loop: must return at once, the work runs on the thread pool.
    private Task OnEnvelope(SocketConnection connection, SocketFrame frame, CancellationToken ct) =>
        Task.Run(() => HandleEnvelopeAsync(connection, frame, ct), CancellationToken.None);

    private async Task HandleEnvelopeAsync(SocketConnection connection, SocketFrame frame, CancellationToken ct)
    {
        var envelopeId = frame.EnvelopeId!;
        SlashCommandResponse? reply = null;
        try
        {
            if (!_dedupe.TryAdd(envelopeId))
            {
                _logger.LogDebug("Slack redelivered envelope {EnvelopeId}; acked, not handled again", envelopeId);
                return;
            }

            if (frame.Type != "slash_commands" || frame.Payload is not { } payload)
            {
                _logger.LogDebug("Slack {Type} envelope acked without handling", frame.Type);
                return;
            }

            var command = payload.Deserialize(SlackJsonContext.Default.SlashCommand);
            if (command is null)
            {
                return;
            }

            await _concurrency.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var handled = _onSlashCommand(command, deadline.Token);
                try
                {
                    reply = await handled.WaitAsync(_options.AckDeadline, _time, ct).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    await deadline.CancelAsync().ConfigureAwait(false);
                    _logger.LogWarning("Slash command {Command} took longer than {Deadline} ms; acked without a reply",
                        command.Command, (int)_options.AckDeadline.TotalMilliseconds);
                }
            }
            finally
            {
                _concurrency.Release();
            }

            if (!frame.AcceptsResponsePayload)
            {
                reply = null;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _logger.LogError(e, "Handling Slack envelope {EnvelopeId} failed", envelopeId);
            reply = frame.AcceptsResponsePayload ? HandlerFailed : null;
        }
        finally
        {
            // Always ack, even after a failure: an unacked envelope is redelivered and the user sees an error.
            try
            {
                await connection.SendAckAsync(new SocketAck(envelopeId, reply), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                _logger.LogWarning("Could not ack Slack envelope {EnvelopeId}: {Message}", envelopeId, e.Message);
            }
        }
    }

    private void Update(Func<SlackSocketModeStatus, SlackSocketModeStatus> change)
    {
        SlackSocketModeStatus status;
        lock (_statusLock)
        {
            status = _status = change(_status);
        }

        StatusChanged?.Invoke(status);
    }
}
