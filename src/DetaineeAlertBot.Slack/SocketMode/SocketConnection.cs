using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using DetaineeAlertBot.Slack.Models;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Slack.SocketMode;

/// <summary>Why a connection is over, or about to be.</summary>
internal enum ConnectionEnd
{
    /// <summary>Slack sent disconnect (warning, refresh_requested, or an unknown reason): open a replacement, then drop this one.</summary>
    RefreshRequested,

    /// <summary>Socket Mode was turned off in the app settings: stop, do not reconnect.</summary>
    LinkDisabled,

    /// <summary>More than 10 sockets are open for this app: drop this one and back off.</summary>
    TooManyWebSockets,

    /// <summary>The socket closed or failed.</summary>
    Dropped,
}

/// <summary>One WebSocket to Slack: reads frames, hands envelopes to the client, sends acks on this same socket.</summary>
internal sealed class SocketConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Func<SocketConnection, SocketFrame, CancellationToken, Task> _onEnvelope;
    private readonly int _maxFrameBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource _hello = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ConnectionEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _inFlightLock = new();
    private readonly HashSet<Task> _inFlight = [];
    private Task _receiveLoop = Task.CompletedTask;
    private int _disposed;

    public SocketConnection(int id, ClientWebSocket socket, Func<SocketConnection, SocketFrame, CancellationToken, Task> onEnvelope,
        int maxFrameBytes, TimeProvider time, ILogger logger)
    {
        Id = id;
        _socket = socket;
        _onEnvelope = onEnvelope;
        _maxFrameBytes = maxFrameBytes;
        _time = time;
        _logger = logger;
    }

    public int Id { get; }

    public Task Hello => _hello.Task;

    public Task<ConnectionEnd> Ended => _ended.Task;

    public string? DisconnectReason { get; private set; }

    /// <summary>Whether the client counts this socket as open; cleared when it is closed, so it is uncounted once.</summary>
    public bool Counted { get; set; }

    public void Start() => _receiveLoop = ReceiveLoopAsync(_stop.Token);

    public async Task SendAckAsync(SocketAck ack, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(ack, SlackJsonContext.Default.SocketAck);
        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Closes politely once in-flight envelopes are acked (bounded by <paramref name="drainTimeout"/>).</summary>
    public async Task CloseAsync(TimeSpan drainTimeout)
    {
        Task[] inFlight;
        lock (_inFlightLock)
        {
            inFlight = [.. _inFlight];
        }

        try
        {
            using var drain = new CancellationTokenSource(drainTimeout, _time);
            await Task.WhenAll(inFlight).WaitAsync(drain.Token).ConfigureAwait(false);
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "replaced", drain.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            _logger.LogDebug("Slack socket {Id} did not close cleanly: {Message}", Id, e.Message);
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        try
        {
            await _receiveLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected: we cancelled it.
        }

        _socket.Dispose();
        _ended.TrySetResult(ConnectionEnd.Dropped);
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        await Task.Yield();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            // Bounded by the socket's life: it ends on close, error, keep-alive timeout or cancellation.
            while (!ct.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _logger.LogInformation("Slack closed socket {Id} ({Status} {Description})", Id, result.CloseStatus, result.CloseStatusDescription);
                    break;
                }

                if (message.WrittenCount + result.Count > _maxFrameBytes)
                {
                    _logger.LogWarning("Slack socket {Id} sent a frame over {Max} bytes; dropping the connection", Id, _maxFrameBytes);
                    break;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                HandleFrame(message.WrittenSpan, ct);
                message.ResetWrittenCount();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!ct.IsCancellationRequested)
            {
                _logger.LogWarning("Slack socket {Id} failed: {Message}", Id, e.Message);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _hello.TrySetException(new WebSocketException("The socket closed before hello."));
            _ended.TrySetResult(ConnectionEnd.Dropped);
        }
    }

    private void HandleFrame(ReadOnlySpan<byte> json, CancellationToken ct)
    {
        SocketFrame? frame;
        try
        {
            frame = JsonSerializer.Deserialize(json, SlackJsonContext.Default.SocketFrame);
        }
        catch (JsonException e)
        {
            _logger.LogWarning("Slack socket {Id} sent a frame that is not JSON: {Message}", Id, e.Message);
            return;
        }

        if (frame is null)
        {
            return;
        }

        if (frame.Type == "hello")
        {
            _hello.TrySetResult();
            return;
        }

        if (frame.Type == "disconnect")
        {
            // Parse the reason as a string; unknown reasons mean "reconnect".
            DisconnectReason = frame.Reason ?? "unknown";
            _logger.LogInformation("Slack asked socket {Id} to disconnect: {Reason}", Id, DisconnectReason);
            _ended.TrySetResult(frame.Reason switch
            {
                "link_disabled" => ConnectionEnd.LinkDisabled,
                "too_many_websockets" => ConnectionEnd.TooManyWebSockets,
                _ => ConnectionEnd.RefreshRequested,
            });
            return;
        }

        if (string.IsNullOrEmpty(frame.EnvelopeId))
        {
            _logger.LogDebug("Slack socket {Id} sent a {Type} frame without envelope_id; ignored", Id, frame.Type);
            return;
        }

        var task = _onEnvelope(this, frame, ct);
        lock (_inFlightLock)
        {
            _inFlight.Add(task);
        }

        _ = task.ContinueWith(t =>
        {
            lock (_inFlightLock)
            {
                _inFlight.Remove(t);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
