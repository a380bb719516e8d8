using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using DetaineeAlertBot.Discord.Gateway;

namespace DetaineeAlertBot.Discord.Tests.Support;

/// <summary>
/// Discord's side of one gateway socket, played by a test through <see cref="IGatewaySocket"/>: the test pushes frames
/// (or a close) and reads what the client sent. No network and no timers, so protocol tests run on fake time.
/// </summary>
internal sealed class ScriptedGatewaySocket : IGatewaySocket
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(30);

    private readonly Channel<(byte[]? Frame, int? CloseCode)> _inbound = Channel.CreateUnbounded<(byte[]?, int?)>();
    private readonly Channel<JsonObject> _sent = Channel.CreateUnbounded<JsonObject>();
    private readonly ConcurrentQueue<JsonObject> _allSent = new();
    private byte[]? _partial;
    private int _partialOffset;
    private volatile bool _serverClosed;
    private volatile bool _clientClosed;

    public Uri? ConnectedTo { get; private set; }

    /// <summary>The close code the client sent, if it closed.</summary>
    public int? ClientCloseCode { get; private set; }

    public bool Aborted { get; private set; }

    /// <summary>Every payload the client sent on this socket, in order.</summary>
    public IReadOnlyList<JsonObject> Sent => [.. _allSent];

    public void Push(JsonObject payload) => _inbound.Writer.TryWrite((Encoding.UTF8.GetBytes(payload.ToJsonString()), null));

    public void Hello(int heartbeatIntervalMs) =>
        Push(new JsonObject { ["op"] = 10, ["d"] = new JsonObject { ["heartbeat_interval"] = heartbeatIntervalMs } });

    public void Dispatch(string eventName, int sequence, JsonObject data) =>
        Push(new JsonObject { ["op"] = 0, ["t"] = eventName, ["s"] = sequence, ["d"] = data });

    public void HeartbeatAck() => Push(new JsonObject { ["op"] = 11 });

    /// <summary>Discord closes the socket with <paramref name="code"/>.</summary>
    public void CloseFromServer(int code) => _inbound.Writer.TryWrite((null, code));

    /// <summary>The next payload with <paramref name="op"/> the client sends (others, e.g. heartbeats, are skipped but kept in <see cref="Sent"/>).</summary>
    public async Task<JsonObject> NextSentAsync(GatewayOpcode op)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (true)
        {
            var payload = await _sent.Reader.ReadAsync(timeout.Token);
            if ((int?)payload["op"] == (int)op)
            {
                return payload;
            }
        }
    }

    public Task ConnectAsync(Uri url, CancellationToken ct)
    {
        ConnectedTo = url;
        return Task.CompletedTask;
    }

    public Task SendAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken ct)
    {
        if (_clientClosed || Aborted)
        {
            throw new WebSocketException("send after close");
        }

        var payload = JsonNode.Parse(utf8Json.Span)!.AsObject();
        _allSent.Enqueue(payload);
        _sent.Writer.TryWrite(payload);
        return Task.CompletedTask;
    }

    public async ValueTask<GatewaySocketRead> ReceiveAsync(Memory<byte> buffer, CancellationToken ct)
    {
        if (_partial is null)
        {
            (byte[]? Frame, int? CloseCode) next;
            try
            {
                next = await _inbound.Reader.ReadAsync(ct);
            }
            catch (ChannelClosedException)
            {
                throw new WebSocketException("the socket was aborted");
            }

            if (next.Frame is null)
            {
                _serverClosed = true;
                return new GatewaySocketRead(0, true, true, next.CloseCode);
            }

            (_partial, _partialOffset) = (next.Frame, 0);
        }

        // Frames larger than the client's buffer arrive in parts, as on a real socket.
        var count = Math.Min(buffer.Length, _partial.Length - _partialOffset);
        _partial.AsMemory(_partialOffset, count).CopyTo(buffer);
        _partialOffset += count;
        var end = _partialOffset == _partial.Length;
        if (end)
        {
            _partial = null;
        }

        return new GatewaySocketRead(count, end, false, null);
    }

    public bool CanClose => !_clientClosed && !Aborted;

    public Task CloseOutputAsync(int code, string reason, CancellationToken ct)
    {
        ClientCloseCode ??= code;
        _clientClosed = true;
        if (!_serverClosed)
        {
            // Discord answers a close frame with its own.
            CloseFromServer(code);
        }

        return Task.CompletedTask;
    }

    public void Abort()
    {
        Aborted = true;
        _inbound.Writer.TryComplete();
    }

    public void Dispose() => Abort();
}
