using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace DetaineeAlertBot.Discord.Fake;

/// <summary>One HTTP request the fake received, with the status it answered.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    string? Authorization,
    string? UserAgent,
    string? ContentType,
    string Body,
    DateTimeOffset ReceivedAt,
    int Status);

/// <summary>A message the fake created (Create Message).</summary>
/// <param name="AuthorId">Who posted it: null for the bot itself, else another user (<see cref="FakeDiscordServer.PostAsUser"/>).</param>
/// <param name="Body">The message's current body: the create request with every accepted edit applied.</param>
/// <param name="Reference">The <c>message_reference</c> of a reply, as accepted (the referenced message existed).</param>
public sealed record RecordedMessage(string Id, string ChannelId, string? Nonce, JsonObject Body, DateTimeOffset CreatedAt = default, string? AuthorId = null,
    JsonObject? Reference = null, DateTimeOffset? EditedAt = null);

/// <summary>An interaction callback or follow-up: the id in the path (interaction or application), the token and the body.</summary>
public sealed record RecordedCallback(string Id, string Token, string Body, DateTimeOffset ReceivedAt)
{
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>A server the fake bot is a member of.</summary>
public sealed record FakeGuild(string Id, string Name);

/// <summary>A canned answer for the next request that matches.</summary>
public sealed record ScriptedResponse(Func<string, string, bool> Matches, int Status, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// An in-process Discord: Kestrel on 127.0.0.1 (port 0) with the REST routes the bot uses and a WebSocket gateway.
/// Enforces per-channel message limits and a global requests-per-second limit with Discord's headers and 429
/// bodies, answers 401/403/404 like Discord, de-duplicates nonces within <see cref="NonceWindow"/> (on <see cref="Clock"/>),
/// lists channel messages newest first, holds interactions to their 3 s deadline (10062) and to one initial response
/// (40060), and records every request. Cards (FakeDiscordServer.Cards.cs): Edit Message in the per-channel bucket of
/// Create Message (10008, 50005, a scriptable 30046), replies with <c>message_reference</c>, legacy components and modals
/// validated like Discord (50035), callback types 6/7/9 with their rules, deletes by hand with MESSAGE_DELETE to
/// GUILD_MESSAGES sessions, and component / modal-submit interactions delivered over the gateway or signed HTTP.
/// </summary>
public sealed partial class FakeDiscordServer : IAsyncDisposable
{
    public const string DefaultBotToken = "fake-bot-token";
    /// <summary>The server tests install the bot in; hosts list it in Discord:AllowedGuildIds.</summary>
    public const string DefaultGuildId = "290926798626357999";
    public const string DefaultApplicationId = "1200000000000000000";
    private const string MessagesBucket = "f4k3buck3t0000000000000000000001";

    private readonly WebApplication _app;
    private readonly Key _signingKey;
    private readonly Lock _lock = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<RecordedMessage> _messages = [];
    private readonly Dictionary<string, (DateTimeOffset Start, int Count)> _channelWindows = [];
    private readonly Queue<DateTimeOffset> _globalWindow = new();
    private readonly List<ScriptedResponse> _scripted = [];
    private readonly List<RecordedCallback> _callbacks = [];
    private readonly List<RecordedCallback> _followUps = [];
    private readonly ConcurrentDictionary<string, JsonArray> _commands = new();
    private readonly List<FakeGuild> _guilds = [];
    private readonly List<string> _leftGuilds = [];
    private readonly Dictionary<string, DateTimeOffset> _interactionsDelivered = [];
    private readonly HashSet<string> _interactionsAnswered = [];
    private long _nextId = 1300000000000000000;

    private FakeDiscordServer(WebApplication app, Key signingKey)
    {
        _app = app;
        _signingKey = signingKey;
        Gateway = new FakeGateway(this);
    }

    public string BotToken { get; set; } = DefaultBotToken;
    public string ApplicationId { get; set; } = DefaultApplicationId;

    /// <summary>Messages per channel per <see cref="ChannelMessageWindow"/> (Discord: 5 per 5 s).</summary>
    public int ChannelMessageLimit { get; set; } = 5;
    public TimeSpan ChannelMessageWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Requests per second over all authenticated, non-interaction routes (Discord: 50).</summary>
    public int GlobalLimitPerSecond { get; set; } = 50;

    /// <summary>Channels that answer 404 code 10003 Unknown Channel.</summary>
    public ConcurrentDictionary<string, bool> UnknownChannels { get; } = new();

    /// <summary>Channels that answer 403 code 50001 Missing Access.</summary>
    public ConcurrentDictionary<string, bool> ForbiddenChannels { get; } = new();

    public FakeGateway Gateway { get; }

    /// <summary>Servers the bot is a member of: announced as GUILD_CREATE after READY, left with
    /// <c>DELETE /users/@me/guilds/{id}</c> (then GUILD_DELETE is dispatched).</summary>
    public IReadOnlyList<FakeGuild> Guilds
    {
        get
        {
            lock (_lock)
            {
                return [.. _guilds];
            }
        }
    }

    /// <summary>Guild ids the bot left, in order.</summary>
    public IReadOnlyList<string> LeftGuilds
    {
        get
        {
            lock (_lock)
            {
                return [.. _leftGuilds];
            }
        }
    }

    /// <summary>Makes the bot a member of a server, as if someone added it; announced on the next READY, or now with
    /// <paramref name="announce"/> (GUILD_CREATE on the open connection).</summary>
    public async Task AddGuildAsync(string id, string name, bool announce = false)
    {
        lock (_lock)
        {
            _guilds.Add(new FakeGuild(id, name));
        }

        if (announce)
        {
            await Gateway.DispatchAsync("GUILD_CREATE", new JsonObject { ["id"] = id, ["name"] = name, ["unavailable"] = false }).ConfigureAwait(false);
        }
    }

    /// <summary>How long Create Message holds its answer after the message is created: the message exists but the client
    /// does not know yet (a lost or slow response, a client killed meanwhile).</summary>
    public TimeSpan MessageAnswerDelay { get; set; }

    /// <summary>The next this many Create Message requests take effect (a new message, or the nonce's earlier one) but are
    /// answered with 502, as if the answer was lost on the way.</summary>
    public int LoseMessageAnswers { get; set; }

    /// <summary>How long a nonce with <c>enforce_nonce</c> de-duplicates: Discord says "the past few minutes".</summary>
    public TimeSpan NonceWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The fake's clock (nonce window, rate-limit windows, message timestamps); a test may share its fake time.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>How long after delivery an interaction takes its initial response (Discord: 3 s); a later callback is answered
    /// 404 code 10062 Unknown interaction, as the token is then invalid.</summary>
    public TimeSpan InteractionDeadline { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Starts an interaction's deadline on <see cref="Clock"/>, as Discord does when it sends one. The fake gateway
    /// calls it for every INTERACTION_CREATE; a test that posts an HTTP interaction itself calls it. An interaction the fake
    /// was never told about has no known start, so only the 40060 rule applies to it.</summary>
    public void InteractionDelivered(string interactionId)
    {
        lock (_lock)
        {
            _interactionsDelivered[interactionId] = Clock.GetUtcNow();
        }
    }

    /// <summary>What <c>GET /gateway/bot</c> recommends: shards and session_start_limit.max_concurrency.</summary>
    public int RecommendedShards { get; set; } = 1;

    public int MaxConcurrency { get; set; } = 1;

    public Uri BaseAddress { get; private set; } = null!;
    public Uri ApiBaseUrl => new(BaseAddress, "/api/v10");
    public Uri GatewayUrl => new($"ws://{BaseAddress.Authority}/gateway");
    public Uri ResumeGatewayUrl => new($"ws://{BaseAddress.Authority}/gateway-resume");

    /// <summary>The application's public key (hex), matching <see cref="Sign"/>.</summary>
    public string PublicKeyHex => Convert.ToHexStringLower(_signingKey.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<RecordedMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>Initial interaction responses (<c>POST /interactions/{id}/{token}/callback</c>).</summary>
    public IReadOnlyList<RecordedCallback> Callbacks
    {
        get
        {
            lock (_lock)
            {
                return [.. _callbacks];
            }
        }
    }

    /// <summary>Edits of the original response (<c>PATCH /webhooks/{app}/{token}/messages/@original</c>); Id is the application id.
    /// After a type 6/7 response such an edit also changes the component's message (see <see cref="EditsOf"/>).
    /// Follow-up messages are in <see cref="FollowupMessages"/>.</summary>
    public IReadOnlyList<RecordedCallback> FollowUps
    {
        get
        {
            lock (_lock)
            {
                return [.. _followUps];
            }
        }
    }

    /// <summary>Commands registered per scope ("global" or the guild id).</summary>
    public IReadOnlyDictionary<string, JsonArray> Commands => _commands;

    public int RateLimitedCount => Requests.Count(r => r.Status == 429);

    public static async Task<FakeDiscordServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeDiscordServer(app, Key.Create(SignatureAlgorithm.Ed25519));
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    /// <summary>Answers the next request whose method and path (e.g. "POST", "/api/v10/channels/1/messages") match.</summary>
    public void Script(ScriptedResponse response)
    {
        lock (_lock)
        {
            _scripted.Add(response);
        }
    }

    /// <summary>Signs like Discord does for HTTP interactions: Ed25519 over timestamp + body, hex.</summary>
    public string Sign(string timestamp, byte[] body)
    {
        var message = Encoding.UTF8.GetBytes(timestamp).Concat(body).ToArray();
        return Convert.ToHexStringLower(SignatureAlgorithm.Ed25519.Sign(_signingKey, message));
    }

    public string NewSnowflake() => Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets what <c>GET …/commands</c> returns for a scope, as if registered earlier.</summary>
    public void SetCommands(string scope, JsonArray commands) => _commands[scope] = commands;

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _signingKey.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (context.WebSockets.IsWebSocketRequest && (path.StartsWith("/gateway", StringComparison.Ordinal)))
        {
            await Gateway.AcceptAsync(context, resumeUrl: path.StartsWith("/gateway-resume", StringComparison.Ordinal)).ConfigureAwait(false);
            return;
        }

        var receivedAt = Clock.GetUtcNow();
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        var method = context.Request.Method;
        var reply = Answer(method, path, context.Request.Query, context.Request.Headers, body, receivedAt);

        lock (_lock)
        {
            _requests.Add(new RecordedRequest(method, path, context.Request.Headers.Authorization, context.Request.Headers.UserAgent,
                context.Request.ContentType, body, receivedAt, reply.Status));
        }

        if (MessageAnswerDelay > TimeSpan.Zero && reply.Status == 200 && method == "POST" && path.EndsWith("/messages", StringComparison.Ordinal))
        {
            try
            {
                await Task.Delay(MessageAnswerDelay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return; // The client went away (or was killed) before the answer.
            }
        }

        context.Response.StatusCode = reply.Status;
        foreach (var (name, value) in reply.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (reply.Body is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.Body).ConfigureAwait(false);
        }
    }

    private sealed record Reply(int Status, string? Body, Dictionary<string, string> Headers)
    {
        public static Reply Json(int status, JsonNode body, Dictionary<string, string>? headers = null) => new(status, body.ToJsonString(), headers ?? []);
        public static Reply Error(int status, int code, string message) => Json(status, new JsonObject { ["message"] = message, ["code"] = code });
    }

    private Reply Answer(string method, string path, IQueryCollection query, IHeaderDictionary headers, string body, DateTimeOffset now)
    {
        if (!path.StartsWith("/api/v10/", StringComparison.Ordinal))
        {
            return Reply.Error(404, 0, "404: Not Found");
        }

        lock (_lock)
        {
            var scripted = _scripted.FindIndex(s => s.Matches(method, path));
            if (scripted >= 0)
            {
                var s = _scripted[scripted];
                _scripted.RemoveAt(scripted);
                return new Reply(s.Status, s.Body, s.Headers?.ToDictionary() ?? []);
            }
        }

        var route = path["/api/v10/".Length..].Split('/');
        if (!(headers.UserAgent.ToString()).StartsWith("DiscordBot (", StringComparison.Ordinal))
        {
            return Reply.Error(400, 0, "A valid User-Agent is required: DiscordBot ($url, $versionNumber)");
        }

        // Interaction callbacks and follow-ups: authorised by the token in the path, no global limit.
        if (route is ["interactions", var interactionId, var interactionToken, "callback"] && method == "POST")
        {
            return InteractionCallback(interactionId, interactionToken, body, now);
        }

        if (route is ["webhooks", _, _, "messages", "@original"] && method == "PATCH")
        {
            return EditOriginal(route[1], route[2], body, now);
        }

        if (route is ["webhooks", var followupApp, var followupToken] && method == "POST")
        {
            return CreateFollowup(followupApp, followupToken, body, now);
        }

        if (headers.Authorization.ToString() != $"Bot {BotToken}")
        {
            return Reply.Error(401, 0, "401: Unauthorized");
        }

        if (TakeGlobalSlot(now) is { } globalLimited)
        {
            return globalLimited;
        }

        return route switch
        {
            ["gateway", "bot"] when method == "GET" => Reply.Json(200, new JsonObject
            {
                ["url"] = GatewayUrl.ToString().TrimEnd('/'),
                ["shards"] = RecommendedShards,
                ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 14400000, ["max_concurrency"] = MaxConcurrency },
            }),
            ["users", "@me"] when method == "GET" => Reply.Json(200, new JsonObject { ["id"] = ApplicationId, ["username"] = "alertbot", ["bot"] = true }),
            ["applications", "@me"] when method == "GET" => Reply.Json(200, new JsonObject { ["id"] = ApplicationId, ["verify_key"] = PublicKeyHex }),
            ["applications", var app, "commands"] when app == ApplicationId => CommandsRoute(method, "global", body),
            ["applications", var app, "guilds", var guild, "commands"] when app == ApplicationId => CommandsRoute(method, guild, body),
            ["channels", var channel, "messages"] when method == "POST" => CreateMessage(channel, body, now),
            ["channels", var channel, "messages"] when method == "GET" => ListMessages(channel, query),
            ["channels", var channel, "messages", var message] when method == "PATCH" => EditMessage(channel, message, body, now),
            ["users", "@me", "guilds", var guild] when method == "DELETE" => LeaveGuild(guild),
            _ => Reply.Error(404, 0, "404: Not Found"),
        };
    }

    private Reply? TakeGlobalSlot(DateTimeOffset now)
    {
        lock (_lock)
        {
            while (_globalWindow.Count > 0 && _globalWindow.Peek() <= now - TimeSpan.FromSeconds(1))
            {
                _globalWindow.Dequeue();
            }

            if (_globalWindow.Count >= GlobalLimitPerSecond)
            {
                var retryAfter = _globalWindow.Peek() + TimeSpan.FromSeconds(1) - now;
                return Reply.Json(429, new JsonObject
                {
                    ["message"] = "You are being rate limited.",
                    ["retry_after"] = Seconds(retryAfter),
                    ["global"] = true,
                }, new() { ["X-RateLimit-Global"] = "true", ["X-RateLimit-Scope"] = "global", ["Retry-After"] = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture) });
            }

            _globalWindow.Enqueue(now);
            return null;
        }
    }

    /// <summary>One request of the per-channel message bucket shared by Create Message and Edit Message (Discord.Net also
    /// queues both in one bucket): headers always, a 429 when the window is used up.</summary>
    private Reply? TakeChannelSlot(string channel, DateTimeOffset now, out Dictionary<string, string> rateHeaders)
    {
        rateHeaders = [];
        lock (_lock)
        {
            var (start, count) = _channelWindows.TryGetValue(channel, out var w) && now < w.Start + ChannelMessageWindow ? w : (now, 0);
            var resetAfter = start + ChannelMessageWindow - now;
            rateHeaders["X-RateLimit-Limit"] = ChannelMessageLimit.ToString(CultureInfo.InvariantCulture);
            rateHeaders["X-RateLimit-Reset-After"] = Seconds(resetAfter).ToString(CultureInfo.InvariantCulture);
            rateHeaders["X-RateLimit-Reset"] = ((start + ChannelMessageWindow).ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
            rateHeaders["X-RateLimit-Bucket"] = MessagesBucket;
            if (count >= ChannelMessageLimit)
            {
                rateHeaders["X-RateLimit-Remaining"] = "0";
                rateHeaders["X-RateLimit-Scope"] = "user";
                rateHeaders["Retry-After"] = Math.Ceiling(resetAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                return Reply.Json(429, new JsonObject
                {
                    ["message"] = "You are being rate limited.",
                    ["retry_after"] = Seconds(resetAfter),
                    ["global"] = false,
                }, rateHeaders);
            }

            _channelWindows[channel] = (start, count + 1);
            rateHeaders["X-RateLimit-Remaining"] = (ChannelMessageLimit - count - 1).ToString(CultureInfo.InvariantCulture);
        }

        return null;
    }

    /// <summary>What Create Message and Edit Message check first, in Discord's order: the channel (10003, 50001), the
    /// channel's rate-limit bucket, then a JSON object body (50109).</summary>
    private Reply? AdmitChannelWrite(string channel, string body, DateTimeOffset now, out JsonObject request, out Dictionary<string, string> rateHeaders)
    {
        request = new JsonObject();
        rateHeaders = [];
        if (UnknownChannels.ContainsKey(channel))
        {
            return Reply.Error(404, 10003, "Unknown Channel");
        }

        if (ForbiddenChannels.ContainsKey(channel))
        {
            return Reply.Error(403, 50001, "Missing Access");
        }

        if (TakeChannelSlot(channel, now, out rateHeaders) is { } limited)
        {
            return limited;
        }

        try
        {
            request = JsonNode.Parse(body)?.AsObject() ?? throw new JsonException("not an object");
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Reply.Error(400, 50109, "The request body contains invalid JSON.");
        }
    }

    private Reply CreateMessage(string channel, string body, DateTimeOffset now)
    {
        if (AdmitChannelWrite(channel, body, now, out var request, out var rateHeaders) is { } refused)
        {
            return refused;
        }

        if (ValidateMessage(request) is { } invalid)
        {
            return Reply.Json(400, invalid, rateHeaders);
        }

        var nonce = request["nonce"]?.ToString();
        lock (_lock)
        {
            JsonObject? reference = null;
            if (request["message_reference"] is JsonObject wanted)
            {
                var referencedId = (string?)wanted["message_id"];
                var referencedChannel = (string?)wanted["channel_id"] ?? channel;
                if (referencedChannel == channel && _messages.Any(m => m.Id == referencedId && m.ChannelId == channel))
                {
                    reference = new JsonObject { ["type"] = 0, ["message_id"] = referencedId, ["channel_id"] = channel, ["guild_id"] = DefaultGuildId };
                }
                else if ((bool?)wanted["fail_if_not_exists"] != false)
                {
                    return Reply.Json(400, FormError("message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"), rateHeaders);
                }
            }

            if (nonce is null || request["enforce_nonce"]?.GetValue<bool>() != true
                || _messages.FirstOrDefault(m => m.ChannelId == channel && m.Nonce == nonce && now - m.CreatedAt < NonceWindow) is not { } message)
            {
                message = new RecordedMessage(NewSnowflake(), channel, nonce, request, now, Reference: reference);
                _messages.Add(message);
            }

            if (LoseMessageAnswers > 0)
            {
                LoseMessageAnswers--;
                return Reply.Error(502, 0, "502: Bad Gateway");
            }

            return Reply.Json(200, MessageJson(message), rateHeaders);
        }
    }

    /// <summary>Create Interaction Response: one per interaction (a second is 400 code 40060), and only within
    /// <see cref="InteractionDeadline"/> of delivery (later: 404 code 10062). Only accepted ones are in <see cref="Callbacks"/>.</summary>
    private Reply InteractionCallback(string interactionId, string token, string body, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_interactionsAnswered.Contains(interactionId))
            {
                return Reply.Error(400, 40060, "Interaction has already been acknowledged.");
            }

            if (_interactionsDelivered.TryGetValue(interactionId, out var deliveredAt) && now - deliveredAt > InteractionDeadline)
            {
                return Reply.Error(404, 10062, "Unknown interaction");
            }

            if (CheckCallback(interactionId, body, now) is { } invalid)
            {
                return invalid;
            }

            _interactionsAnswered.Add(interactionId);
            _callbacks.Add(new RecordedCallback(interactionId, token, body, now));
            CallbackAccepted(interactionId, body, now);
        }

        return new Reply(204, null, []);
    }

    /// <summary>Leave Guild: 204, then GUILD_DELETE on the gateway; 404 Unknown Guild when the bot is not a member.</summary>
    private Reply LeaveGuild(string guildId)
    {
        lock (_lock)
        {
            if (_guilds.RemoveAll(g => g.Id == guildId) == 0)
            {
                return Reply.Error(404, 10004, "Unknown Guild");
            }

            _leftGuilds.Add(guildId);
        }

        _ = Gateway.DispatchAsync("GUILD_DELETE", new JsonObject { ["id"] = guildId });
        return new Reply(204, null, []);
    }

    /// <summary>A message someone else posted in a channel (not recorded as a request).</summary>
    public RecordedMessage PostAsUser(string channel, string authorId, JsonObject body)
    {
        lock (_lock)
        {
            var message = new RecordedMessage(NewSnowflake(), channel, null, body, Clock.GetUtcNow(), authorId);
            _messages.Add(message);
            return message;
        }
    }

    /// <summary>Get Channel Messages: newest first, <c>limit</c> 1-100 (default 50), <c>before</c> a message id. The
    /// nonce is left out: a client must not count on it being kept.</summary>
    private Reply ListMessages(string channel, IQueryCollection query)
    {
        if (UnknownChannels.ContainsKey(channel))
        {
            return Reply.Error(404, 10003, "Unknown Channel");
        }

        if (ForbiddenChannels.ContainsKey(channel))
        {
            return Reply.Error(403, 50001, "Missing Access");
        }

        var limit = query.TryGetValue("limit", out var l) ? int.Parse(l.ToString(), CultureInfo.InvariantCulture) : 50;
        if (limit is < 1 or > 100)
        {
            return Reply.Json(400, new JsonObject { ["code"] = 50035, ["message"] = "Invalid Form Body" });
        }

        var before = query.TryGetValue("before", out var b) ? ulong.Parse(b.ToString(), CultureInfo.InvariantCulture) : ulong.MaxValue;
        lock (_lock)
        {
            var page = _messages
                .Where(m => m.ChannelId == channel && ulong.Parse(m.Id, CultureInfo.InvariantCulture) < before)
                .OrderByDescending(m => ulong.Parse(m.Id, CultureInfo.InvariantCulture))
                .Take(limit)
                .Select(m => (JsonNode)StoredMessageJson(m));
            return Reply.Json(200, new JsonArray([.. page]));
        }
    }

    private JsonObject MessageJson(RecordedMessage message)
    {
        var json = StoredMessageJson(message);
        json["nonce"] = message.Nonce;
        return json;
    }

    private JsonObject StoredMessageJson(RecordedMessage message) => new()
    {
        ["type"] = message.Reference is null ? 0 : 19,
        ["id"] = message.Id,
        ["channel_id"] = message.ChannelId,
        ["author"] = message.AuthorId is null
            ? new JsonObject { ["id"] = ApplicationId, ["username"] = "alertbot", ["bot"] = true }
            : new JsonObject { ["id"] = message.AuthorId, ["username"] = "someone" },
        ["timestamp"] = message.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture),
        ["content"] = message.Body["content"]?.DeepClone() ?? "",
        ["embeds"] = message.Body["embeds"]?.DeepClone() ?? new JsonArray(),
        ["components"] = message.Body["components"]?.DeepClone() ?? new JsonArray(),
        ["edited_timestamp"] = message.EditedAt?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture),
        ["flags"] = (int?)message.Body["flags"] ?? 0,
        ["message_reference"] = message.Reference?.DeepClone(),
    };

    /// <summary>The documented limits, answered with 50035 and Discord's nested errors shape.</summary>
    private static JsonObject? ValidateMessage(JsonObject request, bool edit = false)
    {
        var errors = new JsonObject();
        if (!edit && request["content"] is null && request["embeds"] is not JsonArray { Count: > 0 } && request["components"] is not JsonArray { Count: > 0 })
        {
            return new JsonObject { ["code"] = 50006, ["message"] = "Cannot send an empty message" };
        }

        if (request["content"]?.ToString() is { Length: > 2000 })
        {
            errors["content"] = Leaf("BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.");
        }

        if (request["nonce"]?.ToString() is { Length: > 25 })
        {
            errors["nonce"] = Leaf("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.");
        }

        if (request["embeds"] is JsonArray embeds)
        {
            var total = 0;
            for (var i = 0; i < embeds.Count; i++)
            {
                var embed = embeds[i]!.AsObject();
                var embedErrors = new JsonObject();
                total += Check(embed, "title", 256, embedErrors) + Check(embed, "description", 4096, embedErrors);
                if (embed["footer"] is JsonObject footer)
                {
                    var footerErrors = new JsonObject();
                    total += Check(footer, "text", 2048, footerErrors);
                    if (footerErrors.Count > 0)
                    {
                        embedErrors["footer"] = footerErrors;
                    }
                }

                if (embed["fields"] is JsonArray fields)
                {
                    var fieldErrors = new JsonObject();
                    if (fields.Count > 25)
                    {
                        fieldErrors["_errors"] = new JsonArray(new JsonObject { ["code"] = "BASE_TYPE_MAX_LENGTH", ["message"] = "Must be 25 or fewer in length." });
                    }

                    for (var f = 0; f < fields.Count; f++)
                    {
                        var field = fields[f]!.AsObject();
                        var one = new JsonObject();
                        if (string.IsNullOrWhiteSpace(field["name"]?.ToString()))
                        {
                            one["name"] = Leaf("BASE_TYPE_REQUIRED", "This field is required");
                        }

                        if (string.IsNullOrWhiteSpace(field["value"]?.ToString()))
                        {
                            one["value"] = Leaf("BASE_TYPE_REQUIRED", "This field is required");
                        }

                        total += Check(field, "name", 256, one) + Check(field, "value", 1024, one);
                        if (one.Count > 0)
                        {
                            fieldErrors[f.ToString(CultureInfo.InvariantCulture)] = one;
                        }
                    }

                    if (fieldErrors.Count > 0)
                    {
                        embedErrors["fields"] = fieldErrors;
                    }
                }

                if (embedErrors.Count > 0)
                {
                    errors["embeds"] ??= new JsonObject();
                    errors["embeds"]![i.ToString(CultureInfo.InvariantCulture)] = embedErrors;
                }
            }

            if (total > 6000)
            {
                errors["embeds"] ??= new JsonObject();
                errors["embeds"]!["_errors"] = new JsonArray(new JsonObject { ["code"] = "MAX_EMBED_SIZE_EXCEEDED", ["message"] = "Embed size exceeds maximum size of 6000" });
            }
        }

        ValidateComponents(request["components"], errors);
        return errors.Count == 0 ? null : new JsonObject { ["code"] = 50035, ["errors"] = errors, ["message"] = "Invalid Form Body" };
    }

    private static int Check(JsonObject parent, string name, int max, JsonObject errors)
    {
        var length = parent[name]?.ToString().Trim().Length ?? 0;
        if (length > max)
        {
            errors[name] = Leaf("BASE_TYPE_MAX_LENGTH", $"Must be {max} or fewer in length.");
        }

        return length;
    }

    private static JsonObject Leaf(string code, string message) =>
        new() { ["_errors"] = new JsonArray(new JsonObject { ["code"] = code, ["message"] = message }) };

    private Reply CommandsRoute(string method, string scope, string body)
    {
        switch (method)
        {
            case "GET":
                return Reply.Json(200, _commands.TryGetValue(scope, out var existing) ? existing.DeepClone() : new JsonArray());
            case "PUT":
                var commands = JsonNode.Parse(body)!.AsArray();
                foreach (var command in commands)
                {
                    // Discord fills these in; our comparer must not mistake them for differences.
                    command!["id"] = NewSnowflake();
                    command["application_id"] = ApplicationId;
                    command["version"] = NewSnowflake();
                    command["type"] ??= 1;
                    command["default_member_permissions"] ??= null;
                    command["nsfw"] ??= false;
                    if (scope != "global")
                    {
                        command["guild_id"] = scope;
                    }
                }

                _commands[scope] = commands;
                return Reply.Json(200, commands.DeepClone());
            default:
                return Reply.Error(405, 0, "405: Method Not Allowed");
        }
    }

    private static double Seconds(TimeSpan t) => Math.Ceiling(Math.Max(0, t.TotalMilliseconds)) / 1000.0;
}
