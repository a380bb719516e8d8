using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>A frame read from the gateway: a payload, or Discord's close (payload null) with its code.</summary>
internal readonly record struct GatewayFrame(GatewayPayload? Payload, int? CloseCode);

/// <summary>
/// One gateway WebSocket: framing of <c>{"op","d"}</c> payloads, one sender at a time, reads with an optional
/// deadline, and the two ways to end it (a polite 1000 on shutdown, or a resumable close before reconnecting).
/// Every wait runs on the client's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class GatewayConnection(IGatewaySocket socket, int maxMessageBytes, TimeProvider time) : IDisposable
{
    /// <summary>Our close code for "reconnecting": anything but 1000/1001 keeps the session resumable.</summary>
    public const int ReconnectCloseCode = 4900;

    /// <summary>How long a close handshake may take before the socket is dropped.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _sendLock = new(1, 1);

    /// <summary>Cancelled when the connection is over (zombie, stop, end of the read loop).
    /// Not linked to the run's token: cancelling a receive aborts the socket, and stopping should send a 1000 first.</summary>
    public CancellationTokenSource Cancellation { get; } = new();

    public IGatewaySocket Socket => socket;

    /// <summary>READY or RESUMED arrived on this connection.</summary>
    public volatile bool Ready;

    /// <summary>Set by the heartbeat when an ACK never came.</summary>
    public volatile bool Zombie;

    public GatewayHeartbeat? Heartbeat { get; set; }

    public async Task ConnectAsync(Uri url, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        await socket.ConnectAsync(url, linked.Token).ConfigureAwait(false);
    }

    public Task SendAsync<T>(GatewayOpcode op, T data, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        SendRawAsync(op, JsonSerializer.Serialize(data, type));

    /// <summary>Op 1 with the last sequence seen (null before the first dispatch).</summary>
    public Task SendHeartbeatAsync(int? sequence) =>
        SendRawAsync(GatewayOpcode.Heartbeat, sequence is { } s ? s.ToString(CultureInfo.InvariantCulture) : "null");

    private async Task SendRawAsync(GatewayOpcode op, string dataJson)
    {
        var frame = Encoding.UTF8.GetBytes($$"""{"op":{{(int)op}},"d":{{dataJson}}}""");
        await _sendLock.WaitAsync(Cancellation.Token).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(frame, Cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next frame; <paramref name="deadline"/> bounds the wait (until READY the heartbeat cannot tell a dead socket).</summary>
    public async Task<GatewayFrame> ReceiveAsync(TimeSpan? deadline)
    {
        using var timeout = deadline is { } d ? new CancellationTokenSource(d > TimeSpan.Zero ? d : TimeSpan.FromMilliseconds(1), time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(Cancellation.Token, timeout.Token);
        var token = linked?.Token ?? Cancellation.Token;

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.GetMemory(4096), token).ConfigureAwait(false);
            if (read.Closed)
            {
                return new GatewayFrame(null, read.CloseCode);
            }

            buffer.Advance(read.Count);
            if (buffer.WrittenCount > maxMessageBytes)
            {
                throw new InvalidDataException($"gateway message larger than {maxMessageBytes} bytes");
            }

            if (read.EndOfMessage)
            {
                return new GatewayFrame(JsonSerializer.Deserialize(buffer.WrittenSpan, DiscordJsonContext.Default.GatewayPayload), null);
            }
        }
    }

    /// <summary>Shutdown: close with 1000 (ends the session), give the read loop <see cref="CloseGrace"/> to see Discord's
    /// answer, then cut it off.</summary>
    public async Task StopAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(CloseGrace, time);
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                await socket.CloseOutputAsync((int)WebSocketCloseStatus.NormalClosure, "shutting down", timeout.Token).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }

            await Task.Delay(CloseGrace, time, Cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            // Closing anyway.
        }

        try
        {
            await Cancellation.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }
    }

    /// <summary>Ends the socket: a best-effort close frame (1000 when stopping, else <see cref="ReconnectCloseCode"/>), then abort.</summary>
    public async Task CloseAsync(bool stopping)
    {
        if (socket.CanClose)
        {
            try
            {
                using var timeout = new CancellationTokenSource(CloseGrace, time);
                await socket.CloseOutputAsync(stopping ? (int)WebSocketCloseStatus.NormalClosure : ReconnectCloseCode, "reconnecting", timeout.Token)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Best effort.
            }
        }

        socket.Abort();
    }

    public void Dispose()
    {
        Cancellation.Dispose();
        _sendLock.Dispose();
        socket.Dispose();
    }
}
