using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace DetaineeAlertBot.Slack.Fake;

/// <summary>The server side of one Socket Mode connection: send hello, envelopes and disconnects; read acks.</summary>
public sealed class FakeSocket
{
    private readonly WebSocket _socket;
    private readonly HttpContext _context;
    private readonly FakeSlackServer _server;
    private readonly ConcurrentQueue<JsonElement> _sentEnvelopes = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _acks = new();
    private readonly ConcurrentDictionary<string, long> _sentAt = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _ackLatency = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _ackCount;

    internal FakeSocket(int index, WebSocket socket, HttpContext context, FakeSlackServer server)
    {
        Index = index;
        _socket = socket;
        _context = context;
        _server = server;
    }

    /// <summary>0 for the first connection the fake accepted, then 1, 2, ...</summary>
    public int Index { get; }

    /// <summary>Completes when the client closed the socket or it dropped.</summary>
    public Task Closed => _closed.Task;

    public int AckCount => Volatile.Read(ref _ackCount);

    /// <summary>Every envelope sent on this socket, redeliveries included, in order.</summary>
    public IReadOnlyList<JsonElement> SentEnvelopes => _sentEnvelopes.ToArray();

    public Task SendHelloAsync() =>
        SendAsync("""{"type":"hello","num_connections":1,"debug_info":{"host":"applink-fake","build_number":1,"approximate_connection_time":18060},"connection_info":{"app_id":"A111"}}""");

    public Task SendDisconnectAsync(string reason) =>
        SendAsync($$$"""{"type":"disconnect","reason":"{{{reason}}}","debug_info":{"host":"wss-fake"}}""");

    /// <summary>Sends a slash command envelope; the payload is the same JSON a command carries over HTTP.</summary>
    public Task SendSlashCommandAsync(string envelopeId, string command, string text, string userId = "U111",
        string channelId = "C111", string? responseUrl = null, string teamId = FakeSlackServer.TeamId, string appId = FakeSlackServer.AppId)
    {
        var payload = JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["token"] = "fake-verification-token", ["team_id"] = teamId, ["team_domain"] = "fake",
            ["channel_id"] = channelId, ["channel_name"] = "random", ["user_id"] = userId, ["user_name"] = "someone",
            ["command"] = command, ["text"] = text, ["api_app_id"] = appId,
            ["response_url"] = responseUrl ?? "https://hooks.slack.invalid/commands/T111/111/xxx", ["trigger_id"] = _server.IssueTriggerId(),
        });
        return SendEnvelopeAsync(envelopeId, "slash_commands", payload, acceptsResponsePayload: true);
    }

    /// <summary>Sends an <c>interactive</c> envelope (accepts_response_payload true, as Slack sends block_actions and
    /// view_submission); the ack's <c>payload</c> is what an HTTP response body would be. Redelivered like any envelope.</summary>
    public Task SendInteractiveAsync(string envelopeId, FakeInteraction interaction) =>
        SendEnvelopeAsync(envelopeId, "interactive", interaction.PayloadJson, acceptsResponsePayload: true);

    /// <summary>Sends an envelope; unless it is acked within the server's <see cref="FakeSlackServer.EnvelopeAckWindow"/>
    /// (on its <see cref="FakeSlackServer.Clock"/>), sends it again with <c>retry_attempt</c> 1, 2, … and
    /// <c>retry_reason</c> "timeout". The window is armed before this returns, so a test may advance fake time right after.</summary>
    public async Task SendEnvelopeAsync(string envelopeId, string type, string payloadJson, bool acceptsResponsePayload)
    {
        var acked = _acks.GetOrAdd(envelopeId, _ => NewAck()).Task;
        _sentAt[envelopeId] = Stopwatch.GetTimestamp();
        await SendEnvelopeAttemptAsync(envelopeId, type, payloadJson, acceptsResponsePayload, 0).ConfigureAwait(false);
        if (_server.EnvelopeAckWindow is { } window)
        {
            _ = RedeliverUntilAckedAsync(acked, window, envelopeId, type, payloadJson, acceptsResponsePayload);
        }
    }

    private async Task RedeliverUntilAckedAsync(Task acked, TimeSpan window, string envelopeId, string type, string payloadJson, bool acceptsResponsePayload)
    {
        for (var attempt = 1; attempt <= _server.MaxEnvelopeRedeliveries; attempt++)
        {
            if (await Task.WhenAny(acked, Task.Delay(window, _server.Clock)).ConfigureAwait(false) == acked || _closed.Task.IsCompleted)
            {
                return;
            }

            try
            {
                await SendEnvelopeAttemptAsync(envelopeId, type, payloadJson, acceptsResponsePayload, attempt).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
            {
                return; // The socket is gone; this fake does not move envelopes to another connection.
            }
        }
    }

    private Task SendEnvelopeAttemptAsync(string envelopeId, string type, string payloadJson, bool acceptsResponsePayload, int attempt)
    {
        var json = $$"""{"envelope_id":"{{envelopeId}}","payload":{{payloadJson}},"type":"{{type}}","accepts_response_payload":{{(acceptsResponsePayload ? "true" : "false")}},"retry_attempt":{{attempt}},"retry_reason":"{{(attempt == 0 ? "" : "timeout")}}"}""";
        _sentEnvelopes.Enqueue(JsonDocument.Parse(json).RootElement.Clone());
        return SendAsync(json);
    }

    /// <summary>The first ack for <paramref name="envelopeId"/>, within <paramref name="timeout"/>.</summary>
    public Task<JsonElement> WaitForAckAsync(string envelopeId, TimeSpan timeout) =>
        _acks.GetOrAdd(envelopeId, _ => NewAck()).Task.WaitAsync(timeout);

    /// <summary>Time from the envelope leaving the fake to its ack arriving.</summary>
    public TimeSpan? AckLatency(string envelopeId) => _ackLatency.TryGetValue(envelopeId, out var latency) ? latency : null;

    /// <summary>Drops the TCP connection without a close handshake.</summary>
    public void Drop()
    {
        if (_closed.Task.IsCompleted)
        {
            return;
        }

        try
        {
            _context.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request already ended: nothing left to drop.
        }
    }

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var ack = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                message.SetLength(0);
                if (ack.TryGetProperty("envelope_id", out var id) && id.GetString() is { } envelopeId)
                {
                    Interlocked.Increment(ref _ackCount);
                    if (_sentAt.TryGetValue(envelopeId, out var sent))
                    {
                        _ackLatency.TryAdd(envelopeId, Stopwatch.GetElapsedTime(sent));
                    }

                    _acks.GetOrAdd(envelopeId, _ => NewAck()).TrySetResult(ack);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException)
        {
            // The client went away or we dropped it.
        }
        finally
        {
            _closed.TrySetResult();
        }
    }

    private static TaskCompletionSource<JsonElement> NewAck() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
