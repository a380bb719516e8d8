using System.Net.WebSockets;

namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>One read from the socket: part of a text frame, or Discord's close frame with its code.</summary>
internal readonly record struct GatewaySocketRead(int Count, bool EndOfMessage, bool Closed, int? CloseCode);

/// <summary>
/// The four WebSocket operations the gateway protocol needs (connect, send, receive, close). A seam, so unit tests
/// can play Discord's side frame by frame on fake time; production uses <see cref="ClientWebSocketGatewaySocket"/>.
/// </summary>
internal interface IGatewaySocket : IDisposable
{
    Task ConnectAsync(Uri url, CancellationToken ct);

    /// <summary>Sends one complete text frame.</summary>
    Task SendAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken ct);

    ValueTask<GatewaySocketRead> ReceiveAsync(Memory<byte> buffer, CancellationToken ct);

    /// <summary>Whether a close frame can still be sent (open, or Discord's close not yet answered).</summary>
    bool CanClose { get; }

    /// <summary>Sends our close frame; the close code decides whether Discord keeps the session resumable.</summary>
    Task CloseOutputAsync(int code, string reason, CancellationToken ct);

    /// <summary>Drops the connection at once; pending reads fail.</summary>
    void Abort();
}

/// <summary>The real socket: <see cref="ClientWebSocket"/>.</summary>
internal sealed class ClientWebSocketGatewaySocket : IGatewaySocket
{
    private readonly ClientWebSocket _socket = new();

    public bool CanClose => _socket.State is WebSocketState.Open or WebSocketState.CloseReceived;

    public Task ConnectAsync(Uri url, CancellationToken ct) => _socket.ConnectAsync(url, ct);

    public Task SendAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken ct) =>
        _socket.SendAsync(utf8Json, WebSocketMessageType.Text, endOfMessage: true, ct).AsTask();

    public async ValueTask<GatewaySocketRead> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var result = await _socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close
            ? new GatewaySocketRead(0, true, true, (int?)_socket.CloseStatus)
            : new GatewaySocketRead(result.Count, result.EndOfMessage, false, null);
    }

    public Task CloseOutputAsync(int code, string reason, CancellationToken ct) =>
        _socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, ct);

    public void Abort() => _socket.Abort();

    public void Dispose() => _socket.Dispose();
}
