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
/// Handles one interaction payload. For <c>view_submission</c> the result is the ack's payload (validation errors, an
/// updated view; null closes the modal) and must come within <see cref="SlackSocketModeOptions.AckDeadline"/>. For
/// every other type (<c>block_actions</c>, ...) the envelope is acked before the handler runs and its result is
/// ignored: answer through the payload's response_url, chat.update or views.open.
/// </summary>
public delegate Task<InteractionResponse?> InteractionHandler(InteractionPayload payload, CancellationToken ct);

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
    private readonly InteractionHandler? _onInteraction;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EnvelopeDeduplicator _dedupe;
    private readonly Backoff _reconnectBackoff;
    private readonly SemaphoreSlim _concurrency;
    private readonly Lock _statusLock = new();
    private SlackSocketModeStatus _status = SlackSocketModeStatus.Initial;
    private int _connectionIds;
    private int _openConnections;

    /// <summary>A client for slash commands only: interactive envelopes are acked without being handled.</summary>
    public SlackSocketModeClient(SlackApiClient api, SlackSocketModeOptions options, SlashCommandHandler onSlashCommand,
        TimeProvider time, ILogger<SlackSocketModeClient> logger)
        : this(api, options, onSlashCommand, onInteraction: null, time, logger)
    {
    }

    public SlackSocketModeClient(SlackApiClient api, SlackSocketModeOptions options, SlashCommandHandler onSlashCommand,
        InteractionHandler? onInteraction, TimeProvider time, ILogger<SlackSocketModeClient> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(options.AppToken);
        _api = api;
        _options = options;
        _onSlashCommand = onSlashCommand;
        _onInteraction = onInteraction;
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
        JsonElement? reply = null;
        InteractionPayload? afterAck = null;
        try
        {
            if (!_dedupe.TryAdd(envelopeId))
            {
                _logger.LogDebug("Slack redelivered envelope {EnvelopeId}; acked, not handled again", envelopeId);
                return;
            }

            switch (frame.Type, frame.Payload)
            {
                case ("slash_commands", { } payload):
                    reply = await HandleSlashCommandAsync(payload, ct).ConfigureAwait(false);
                    break;

                case ("interactive", { } payload) when _onInteraction is not null:
                    var interaction = InteractionPayload.Parse(payload);
                    if (interaction.Type == InteractionPayload.ViewSubmission)
                    {
                        reply = await HandleViewSubmissionAsync(interaction, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        // Slack wants the ack within 3 s and the answer goes through response_url or chat.update: ack first.
                        afterAck = interaction;
                    }

                    break;

                default:
                    _logger.LogDebug("Slack {Type} envelope acked without handling", frame.Type);
                    return;
            }

            if (!frame.AcceptsResponsePayload)
            {
                reply = null;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _logger.LogError(e, "Handling Slack envelope {EnvelopeId} failed", envelopeId);
            reply = frame.AcceptsResponsePayload && frame.Type == "slash_commands"
                ? JsonSerializer.SerializeToElement(HandlerFailed, SlackJsonContext.Default.SlashCommandResponse)
                : null;
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

        if (afterAck is not null)
        {
            // Not part of the envelope's in-flight work: a replacement socket need not wait for it.
            _ = Task.Run(() => RunInteractionAsync(afterAck, envelopeId, ct), CancellationToken.None);
        }
    }

    private async Task<JsonElement?> HandleSlashCommandAsync(JsonElement payload, CancellationToken ct)
    {
        var command = payload.Deserialize(SlackJsonContext.Default.SlashCommand);
        if (command is null)
        {
            return null;
        }

        await _concurrency.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var handled = _onSlashCommand(command, deadline.Token);
            try
            {
                var reply = await handled.WaitAsync(_options.AckDeadline, _time, ct).ConfigureAwait(false);
                return reply is null ? null : JsonSerializer.SerializeToElement(reply, SlackJsonContext.Default.SlashCommandResponse);
            }
            catch (TimeoutException)
            {
                await deadline.CancelAsync().ConfigureAwait(false);
                _logger.LogWarning("Slash command {Command} took longer than {Deadline} ms; acked without a reply",
                    command.Command, (int)_options.AckDeadline.TotalMilliseconds);
                return null;
            }
        }
        finally
        {
            _concurrency.Release();
        }
    }

    // The ack carries the handler's response_action, so it waits for the handler up to the deadline. A late handler is
    // not cancelled (its work, e.g. saving the submitted status, is still wanted); only its answer is lost and the modal closes.
    private async Task<JsonElement?> HandleViewSubmissionAsync(InteractionPayload interaction, CancellationToken ct)
    {
        await _concurrency.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var handled = _onInteraction!(interaction, ct);
            try
            {
                var response = await handled.WaitAsync(_options.AckDeadline, _time, ct).ConfigureAwait(false);
                return response is null ? null : JsonSerializer.SerializeToElement(response, SlackJsonContext.Default.InteractionResponse);
            }
            catch (TimeoutException)
            {
                _logger.LogWarning("view_submission {CallbackId} took longer than {Deadline} ms; acked empty (the modal closes)",
                    interaction.View?.CallbackId, (int)_options.AckDeadline.TotalMilliseconds);
                ObserveLate(handled, interaction);
                return null;
            }
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private async Task RunInteractionAsync(InteractionPayload interaction, string envelopeId, CancellationToken ct)
    {
        try
        {
            await _concurrency.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await _onInteraction!(interaction, ct).ConfigureAwait(false);
            }
            finally
            {
                _concurrency.Release();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _logger.LogError(e, "Handling Slack {Type} interaction (envelope {EnvelopeId}) failed after its ack", interaction.Type, envelopeId);
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private void ObserveLate(Task handled, InteractionPayload interaction) =>
        _ = handled.ContinueWith(t => _logger.LogError(t.Exception, "Late view_submission {CallbackId} handler failed", interaction.View?.CallbackId),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

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
