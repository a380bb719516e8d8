using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DetaineeAlertBot.Discord.Fake;

/// <summary>
/// The fake's gateway: HELLO, heartbeat ACKs, IDENTIFY -> READY, RESUME -> replay + RESUMED, and test controls to
/// dispatch events, request a reconnect (op 7), invalidate the session (op 9) or close with any code.
/// </summary>
public sealed class FakeGateway : IAsyncDisposable
{
    private readonly FakeDiscordServer _server;
    private readonly Lock _lock = new();
    private readonly List<FakeGatewayConnection> _connections = [];
    private readonly List<(int Seq, string Event, JsonNode Data)> _events = [];
    private int _seq;
    private int _sessionIntents;

    internal FakeGateway(FakeDiscordServer server) => _server = server;

    /// <summary>GUILDS (1 &lt;&lt; 0): GUILD_CREATE / GUILD_DELETE are sent only with it.</summary>
    public const int GuildsIntent = 1;

    public int HeartbeatIntervalMs { get; set; } = 41250;

    /// <summary>When false, heartbeats get no ACK (a zombied connection).</summary>
    public bool AckHeartbeats { get; set; } = true;

    /// <summary>Close code to answer the next IDENTIFY with (then cleared).</summary>
    public int? CloseOnNextIdentify { get; set; }

    /// <summary>Answer RESUME with op 9 <c>d:false</c>.</summary>
    public bool RejectResume { get; set; }

    public string? SessionId { get; private set; }

    public IReadOnlyList<FakeGatewayConnection> Connections
    {
        get
        {
            lock (_lock)
            {
                return [.. _connections];
            }
        }
    }

    public FakeGatewayConnection? Current => Connections.LastOrDefault();

    /// <summary>Every payload any connection received from the client, in order.</summary>
    public IReadOnlyList<JsonObject> Received => Connections.SelectMany(c => c.Received).ToList();

    /// <summary>Whether an open connection has been sent READY after identifying with all of <paramref name="intents"/>:
    /// a dispatch that needs them reaches the bot from then on.</summary>
    public bool HasReadyConnection(int intents)
    {
        lock (_lock) return _connections.Any(c => c.Ready && c.IsOpen && (c.Intents & intents) == intents);
    }

    /// <summary>Adds a dispatch to the session; sends it now if a ready connection is open, else it waits for a RESUME replay.
    /// An INTERACTION_CREATE starts that interaction's 3 s deadline now, as on Discord, however late the client reads it.</summary>
    /// <param name="requiredIntents">Intent bits the event needs (e.g. GUILD_MESSAGES for MESSAGE_DELETE): then it goes to every
    /// ready connection identified with them, and only those; it is kept for a RESUME replay only when the session has them.</param>
    public async Task DispatchAsync(string eventName, JsonNode data, int requiredIntents = 0)
    {
        if (eventName == "INTERACTION_CREATE" && (string?)data["id"] is { } interactionId)
        {
            _server.InteractionDelivered(interactionId);
        }

        if (requiredIntents != 0)
        {
            List<FakeGatewayConnection> targets;
            JsonObject filtered;
            lock (_lock)
            {
                targets = _connections.Where(c => c.Ready && c.IsOpen && (c.Intents & requiredIntents) == requiredIntents).ToList();
                if ((_sessionIntents & requiredIntents) != requiredIntents && targets.Count == 0)
                {
                    return;
                }

                var s = ++_seq;
                _events.Add((s, eventName, data.DeepClone()));
                filtered = new JsonObject { ["op"] = 0, ["t"] = eventName, ["s"] = s, ["d"] = data.DeepClone() };
            }

            foreach (var connection in targets)
            {
                await connection.SendAsync(filtered.DeepClone().AsObject()).ConfigureAwait(false);
            }

            return;
        }

        FakeGatewayConnection? target;
        JsonObject payload;
        lock (_lock)
        {
            var seq = ++_seq;
            _events.Add((seq, eventName, data.DeepClone()));
            payload = new JsonObject { ["op"] = 0, ["t"] = eventName, ["s"] = seq, ["d"] = data.DeepClone() };
            target = _connections.LastOrDefault(c => c.Ready && c.IsOpen);
        }

        if (target is not null)
        {
            await target.SendAsync(payload).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a raw payload (e.g. <c>{"op":7,"d":null}</c>) on the current connection.</summary>
    public Task SendAsync(string json) => Current?.SendAsync(JsonNode.Parse(json)!.AsObject()) ?? Task.CompletedTask;

    /// <summary>Closes the current connection from the server side with <paramref name="code"/>.</summary>
    public Task CloseCurrentAsync(int code) => Current?.CloseAsync(code) ?? Task.CompletedTask;

    internal async Task AcceptAsync(HttpContext context, bool resumeUrl)
    {
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var connection = new FakeGatewayConnection(socket, resumeUrl);
        lock (_lock)
        {
            _connections.Add(connection);
        }

        try
        {
            await connection.SendAsync(new JsonObject { ["op"] = 10, ["d"] = new JsonObject { ["heartbeat_interval"] = HeartbeatIntervalMs } }).ConfigureAwait(false);
            while (await connection.ReceiveAsync(context.RequestAborted).ConfigureAwait(false) is { } payload)
            {
                await OnPayloadAsync(connection, payload).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Client dropped the connection.
        }
        finally
        {
            await connection.CompleteCloseAsync().ConfigureAwait(false);
            connection.Ended.TrySetResult();
        }
    }

    private async Task OnPayloadAsync(FakeGatewayConnection connection, JsonObject payload)
    {
        var d = payload["d"];
        switch ((int?)payload["op"])
        {
            case 1:
                if (AckHeartbeats)
                {
                    await connection.SendAsync(new JsonObject { ["op"] = 11 }).ConfigureAwait(false);
                }

                break;

            case 2:
                if ((string?)d?["token"] != _server.BotToken)
                {
                    await connection.CloseAsync(4004).ConfigureAwait(false);
                    return;
                }

                if (CloseOnNextIdentify is { } code)
                {
                    CloseOnNextIdentify = null;
                    await connection.CloseAsync(code).ConfigureAwait(false);
                    return;
                }

                int readySeq;
                lock (_lock)
                {
                    SessionId = Guid.NewGuid().ToString("N");
                    _events.Clear();
                    _seq = 0;
                    readySeq = ++_seq;
                }

                connection.Ready = true;
                connection.Intents = (int?)d?["intents"] ?? 0;
                lock (_lock)
                {
                    _sessionIntents = connection.Intents;
                }

                var guilds = _server.Guilds;
                await connection.SendAsync(new JsonObject
                {
                    ["op"] = 0,
                    ["t"] = "READY",
                    ["s"] = readySeq,
                    ["d"] = new JsonObject
                    {
                        ["v"] = 10,
                        ["user"] = new JsonObject { ["id"] = _server.ApplicationId, ["username"] = "DetaineeAlertBot", ["bot"] = true },
                        // READY lists the guilds as unavailable; each then arrives as GUILD_CREATE (GUILDS intent).
                        ["guilds"] = new JsonArray(guilds.Select(g => (JsonNode)new JsonObject { ["id"] = g.Id, ["unavailable"] = true }).ToArray()),
                        ["session_id"] = SessionId,
                        ["resume_gateway_url"] = _server.ResumeGatewayUrl.ToString().TrimEnd('/'),
                        ["application"] = new JsonObject { ["id"] = _server.ApplicationId, ["flags"] = 0 },
                    },
                }).ConfigureAwait(false);
                if ((connection.Intents & GuildsIntent) != 0)
                {
                    foreach (var guild in guilds)
                    {
                        await DispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = guild.Id, ["name"] = guild.Name, ["unavailable"] = false }).ConfigureAwait(false);
                    }
                }

                break;

            case 6:
                if (RejectResume || (string?)d?["session_id"] != SessionId || (string?)d?["token"] != _server.BotToken)
                {
                    await connection.SendAsync(new JsonObject { ["op"] = 9, ["d"] = false }).ConfigureAwait(false);
                    return;
                }

                var from = (int?)d?["seq"] ?? 0;
                List<(int Seq, string Event, JsonNode Data)> missed;
                int resumedSeq;
                lock (_lock)
                {
                    missed = _events.Where(e => e.Seq > from).ToList();
                    resumedSeq = ++_seq;
                }

                foreach (var (seq, name, data) in missed)
                {
                    await connection.SendAsync(new JsonObject { ["op"] = 0, ["t"] = name, ["s"] = seq, ["d"] = data.DeepClone() }).ConfigureAwait(false);
                }

                connection.Ready = true;
                await connection.SendAsync(new JsonObject { ["op"] = 0, ["t"] = "RESUMED", ["s"] = resumedSeq, ["d"] = new JsonObject() }).ConfigureAwait(false);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in Connections.Where(c => c.IsOpen))
        {
            await connection.CloseAsync(1001).ConfigureAwait(false);
        }
    }
}

/// <summary>One client connection to the fake gateway.</summary>
public sealed class FakeGatewayConnection
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Lock _lock = new();
    private readonly List<JsonObject> _received = [];

    internal FakeGatewayConnection(WebSocket socket, bool resumeUrl)
    {
        _socket = socket;
        ViaResumeUrl = resumeUrl;
    }

    /// <summary>True when the client connected to <c>resume_gateway_url</c>.</summary>
    public bool ViaResumeUrl { get; }

    public bool Ready { get; internal set; }
    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>The intents the client identified with.</summary>
    public int Intents { get; internal set; }

    /// <summary>The close code the client sent, if it closed.</summary>
    public int? ClientCloseCode { get; private set; }

    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<JsonObject> Received
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    internal async Task SendAsync(JsonObject payload)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(Encoding.UTF8.GetBytes(payload.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // Client went away.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    internal async Task CloseAsync(int code)
    {
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync((WebSocketCloseStatus)code, "fake close", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (WebSocketException)
        {
            // Already gone.
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Answers the client's close frame, completing the handshake.</summary>
    internal async Task CompleteCloseAsync()
    {
        if (_socket.State == WebSocketState.CloseReceived)
        {
            await CloseAsync(ClientCloseCode ?? 1000).ConfigureAwait(false);
        }
    }

    internal async Task<JsonObject?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, ct).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ClientCloseCode = (int?)_socket.CloseStatus;
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                var payload = JsonNode.Parse(message.ToArray())!.AsObject();
                lock (_lock)
                {
                    _received.Add(payload);
                }

                return payload;
            }
        }
    }
}
