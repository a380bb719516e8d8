using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Slack.Fake;

/// <summary>
/// An in-process Slack on 127.0.0.1 (Kestrel, port 0) that speaks the documented protocol:
/// <c>/api/{method}</c> with Bearer tokens and <c>ok:false</c> errors, one message per second per
/// channel enforced with 429 + Retry-After, Block Kit limit checks, <c>apps.connections.open</c> and
/// Socket Mode WebSockets (an envelope not acked within <see cref="EnvelopeAckWindow"/> is sent again, as Slack does),
/// <c>conversations.history</c> in cursor-paginated pages, and response_url hooks answering a plain <c>ok</c>.
/// </summary>
public sealed partial class FakeSlackServer : IAsyncDisposable
{
    public const string DefaultBotToken = "xoxb-fake-token";
    public const string DefaultAppToken = "xapp-fake-token";

    /// <summary>The fake workspace (auth.test team_id), the bot's id and its app (bots.info app_id).</summary>
    public const string TeamId = "T111";
    public const string BotId = "B111";
    public const string AppId = "A111";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<FakeResponse>> _scripted = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly ConcurrentDictionary<string, long> _lastPostByChannel = new();
    private readonly ConcurrentDictionary<string, FakeUser> _users = new();
    private readonly ConcurrentQueue<FakeMessage> _messages = new();
    private readonly ConcurrentQueue<FakeSocket> _sockets = new();
    private readonly ConcurrentQueue<(string Id, JsonElement Body)> _hookPosts = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _hookById = new();
    private readonly SemaphoreSlim _socketArrived = new(0);
    private readonly SemaphoreSlim _hookArrived = new(0);
    private readonly Lock _rateLock = new();
    private int _ts;
    private int _socketCount;
    private int _rateLimited;

    private FakeSlackServer(WebApplication app) => _app = app;

    /// <summary>Base for Slack:ApiBaseUrl, e.g. http://127.0.0.1:PORT/api/.</summary>
    public string ApiBaseUrl { get; private set; } = "";

    public string BotToken { get; set; } = DefaultBotToken;

    public string AppToken { get; set; } = DefaultAppToken;

    /// <summary>Channel IDs that exist; any other gets channel_not_found. Empty: every channel exists.</summary>
    public ConcurrentDictionary<string, bool> Channels { get; } = new();

    /// <summary>Minimum spacing of accepted messages per channel; null turns enforcement off.</summary>
    public TimeSpan? PerChannelInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long chat.postMessage holds its answer after the message is posted: a window in which the message
    /// exists but the client does not know it yet (a lost or slow response, a client killed meanwhile).</summary>
    public TimeSpan PostMessageAnswerDelay { get; set; }

    /// <summary>Most messages one conversations.history page holds, whatever the <c>limit</c>: Slack may return fewer than
    /// asked and still have more (https://docs.slack.dev/apis/web-api/pagination). Tests lower it to force pages.</summary>
    public int MaxHistoryPage { get; set; } = 999;

    /// <summary>How long Slack waits for an envelope's ack before it sends the envelope again on the same socket, with
    /// <c>retry_attempt</c> incremented and <c>retry_reason</c> "timeout"; null turns redelivery off.</summary>
    public TimeSpan? EnvelopeAckWindow { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Redeliveries of one unacked envelope before Slack gives up on it.</summary>
    public int MaxEnvelopeRedeliveries { get; set; } = 3;

    /// <summary>The clock of the ack window; a test may share its fake time.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Whether a new socket gets hello at once.</summary>
    public bool AutoHello { get; set; } = true;

    public IReadOnlyList<FakeMessage> Messages => _messages.ToArray();

    /// <summary>Called for each accepted message (chat.postMessage or an incoming webhook) with the Stopwatch timestamp
    /// of the request's arrival, so a bench can time deliveries without polling <see cref="Messages"/>.</summary>
    public Action<FakeMessage, long>? MessageRecorded { get; set; }

    /// <summary>An incoming-webhook URL (Slack's hooks.slack.com/services/… shape): JSON with text or blocks and an
    /// optional channel, answered with a plain "ok". Peers that post this way (Alertmanager's Slack notifier) can be
    /// compared against the bot on the same fake. No pacing is enforced here.</summary>
    public string IncomingWebhookUrl => ApiBaseUrl.Replace("/api/", $"/services/{TeamId}/{BotId}/fake-webhook", StringComparison.Ordinal);

    /// <summary>429s the fake answered because a channel was posted to too fast (scripted ones not counted).</summary>
    public int RateLimitedCount => Volatile.Read(ref _rateLimited);

    public IReadOnlyList<FakeSocket> Sockets => _sockets.ToArray();

    public static async Task<FakeSlackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var fake = new FakeSlackServer(app);
        app.UseWebSockets();
        app.MapPost("/api/{method}", fake.HandleApiAsync);
        app.MapGet("/api/{method}", fake.HandleApiAsync);
        app.Map("/link", fake.HandleSocketAsync);
        app.MapPost("/commands/{id}", fake.HandleHookAsync);
        app.MapPost("/services/{**path}", fake.HandleIncomingWebhookAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.ApiBaseUrl = address.TrimEnd('/') + "/api/";
        return fake;
    }

    /// <summary>The next call of <paramref name="method"/> gets this answer instead of the normal one.</summary>
    public void Enqueue(string method, FakeResponse response) =>
        _scripted.GetOrAdd(method, _ => new ConcurrentQueue<FakeResponse>()).Enqueue(response);

    public int Calls(string method) => _calls.TryGetValue(method, out var count) ? count : 0;

    public void AddUser(FakeUser user) => _users[user.Id] = user;

    /// <summary>When true (the default), users.info describes a user the test did not add as a plain member of the
    /// fake workspace: whoever runs a command exists. Set false to get user_not_found for them.</summary>
    public bool UnknownUsersAreMembers { get; set; } = true;

    /// <summary>A fresh response_url pointing at this fake.</summary>
    public string NewResponseUrl() => ApiBaseUrl.Replace("/api/", "/commands/", StringComparison.Ordinal) + Guid.NewGuid().ToString("N");

    public IReadOnlyList<JsonElement> ResponseUrlPosts => _hookPosts.Select(p => p.Body).ToArray();

    /// <summary>Waits until the fake has accepted <paramref name="index"/> + 1 sockets and returns that one.</summary>
    public async Task<FakeSocket> WaitForSocketAsync(int index, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Volatile.Read(ref _socketCount) <= index)
        {
            await _socketArrived.WaitAsync(cts.Token);
        }

        return _sockets.ElementAt(index);
    }

    /// <summary>The first post to one response_url from <see cref="NewResponseUrl"/>.</summary>
    public Task<JsonElement> WaitForResponseUrlPostAsync(string responseUrl, TimeSpan timeout) =>
        HookFor(responseUrl[(responseUrl.LastIndexOf('/') + 1)..]).Task.WaitAsync(timeout);

    /// <summary>Waits for <paramref name="count"/> response_url posts in total.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitForResponseUrlPostsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_hookPosts.Count < count)
        {
            await _hookArrived.WaitAsync(cts.Token);
        }

        return ResponseUrlPosts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in _sockets)
        {
            socket.Drop();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleApiAsync(HttpContext context, string method)
    {
        // Slack counts a request when it arrives, before any work on it.
        var arrived = Stopwatch.GetTimestamp();
        _calls.AddOrUpdate(method, 1, (_, n) => n + 1);
        if (_scripted.TryGetValue(method, out var queue) && queue.TryDequeue(out var scripted))
        {
            await WriteAsync(context, scripted);
            return;
        }

        var token = context.Request.Headers.Authorization.ToString();
        var expected = method == "apps.connections.open" ? AppToken : BotToken;
        if (!token.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            await WriteAsync(context, FakeResponse.Error("not_authed"));
            return;
        }

        if (token["Bearer ".Length..] != expected)
        {
            var wrongType = method == "apps.connections.open" ? token.Contains("xoxb-", StringComparison.Ordinal) : token.Contains("xapp-", StringComparison.Ordinal);
            await WriteAsync(context, FakeResponse.Error(wrongType ? "not_allowed_token_type" : "invalid_auth"));
            return;
        }

        var response = method switch
        {
            "auth.test" => FakeResponse.Ok($$"""{"ok":true,"url":"https://fake.slack.invalid/","team":"Fake Team","user":"alertbot","team_id":"{{TeamId}}","user_id":"U0BOT","bot_id":"{{BotId}}"}"""),
            "chat.postMessage" => await PostMessageAsync(context, arrived),
            "chat.update" => await UpdateMessageAsync(context),
            "views.open" => await OpenViewAsync(context),
            "users.info" => UsersInfo(context.Request.Query["user"].ToString()),
            "bots.info" => context.Request.Query["bot"].ToString() == BotId
                ? FakeResponse.Ok($$$"""{"ok":true,"bot":{"id":"{{{BotId}}}","deleted":false,"name":"alertbot","app_id":"{{{AppId}}}","user_id":"U0BOT"}}""")
                : FakeResponse.Error("bot_not_found"),
            "conversations.history" => History(context.Request.Query),
            "apps.connections.open" => FakeResponse.Ok($$"""{"ok":true,"url":"{{ApiBaseUrl.Replace("http://", "ws://", StringComparison.Ordinal).Replace("/api/", "/link", StringComparison.Ordinal)}}?ticket={{Guid.NewGuid():N}}"}"""),
            _ => FakeResponse.Error("unknown_method"),
        };
        await WriteAsync(context, response);
    }

    private async Task<FakeResponse> PostMessageAsync(HttpContext context, long arrived)
    {
        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return FakeResponse.Error("invalid_arguments");
        }

        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return FakeResponse.Error("invalid_json");
        }

        var channel = body.TryGetProperty("channel", out var c) ? c.GetString() ?? "" : "";
        if (channel.Length == 0 || (!Channels.IsEmpty && !Channels.ContainsKey(channel)))
        {
            return FakeResponse.Error("channel_not_found");
        }

        var hasText = body.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 };
        var hasBlocks = body.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array && blocks.GetArrayLength() > 0;
        if (!hasText && !hasBlocks)
        {
            return FakeResponse.Error("no_text");
        }

        if (hasBlocks && BlockKitRules.Check(blocks) is { } problem)
        {
            return problem;
        }

        var threadTs = body.TryGetProperty("thread_ts", out var tt) && tt.ValueKind == JsonValueKind.String ? tt.GetString() : null;
        var broadcast = threadTs is not null && body.TryGetProperty("reply_broadcast", out var rb) && rb.ValueKind == JsonValueKind.True;
        if (threadTs is not null && !IsThreadParent(channel, threadTs))
        {
            return FakeResponse.Error(ThreadNotFoundError);
        }

        // "no more than one message per second per channel" (https://docs.slack.dev/apis/web-api/rate-limits).
        lock (_rateLock)
        {
            if (PerChannelInterval is { } interval && _lastPostByChannel.TryGetValue(channel, out var last)
                && Stopwatch.GetElapsedTime(last, arrived) < interval)
            {
                Interlocked.Increment(ref _rateLimited);
                var wait = interval - Stopwatch.GetElapsedTime(last, arrived);
                return FakeResponse.RateLimited((int)Math.Ceiling(wait.TotalSeconds));
            }

            _lastPostByChannel[channel] = arrived;
        }

        var ts = NewTs();
        Record(new FakeMessage(channel, ts, body, DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(arrived))
        {
            ThreadTs = threadTs,
            ReplyBroadcast = broadcast,
        }, arrived);
        if (PostMessageAnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(PostMessageAnswerDelay, context.RequestAborted);
        }

        return FakeResponse.Ok($$$"""{"ok":true,"channel":"{{{channel}}}","ts":"{{{ts}}}","message":{"type":"message","ts":"{{{ts}}}"}}""");
    }

    private void Record(FakeMessage message, long arrived)
    {
        Store(message);
        _messages.Enqueue(message);
        MessageRecorded?.Invoke(message, arrived);
    }

    private async Task HandleIncomingWebhookAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        }
        catch (JsonException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("invalid_payload");
            return;
        }

        var channel = body.TryGetProperty("channel", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
        var ts = NewTs();
        // An incoming webhook's message is the webhook's, not the bot token's: chat.update of it is cant_update_message.
        Record(new FakeMessage(channel, ts, body, DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(arrived)) { PostedByBot = false }, arrived);
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("ok");
    }

    /// <summary>conversations.history: the channel's messages at or after <c>oldest</c>, newest first, as posted by our bot,
    /// with metadata only when <c>include_all_metadata</c> is true (as Slack does). Paginated like Slack: at most <c>limit</c>
    /// (default 100, at most 999) and <see cref="MaxHistoryPage"/> per page; <c>has_more</c> and a <c>next_cursor</c> in
    /// <c>response_metadata</c> while more remain; a cursor this fake did not hand out is <c>invalid_cursor</c>.</summary>
    private FakeResponse History(IQueryCollection query)
    {
        var channel = query["channel"].ToString();
        if (channel.Length == 0 || (!Channels.IsEmpty && !Channels.ContainsKey(channel)))
        {
            return FakeResponse.Error("channel_not_found");
        }

        var cursor = query["cursor"].ToString();
        var skip = 0;
        if (cursor.Length > 0 && !TryReadCursor(cursor, out skip))
        {
            return FakeResponse.Error("invalid_cursor");
        }

        var oldest = double.TryParse(query["oldest"].ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var o) ? o : 0;
        var limit = Math.Min(MaxHistoryPage, int.TryParse(query["limit"].ToString(), out var l) ? Math.Clamp(l, 1, 999) : 100);
        var withMetadata = query["include_all_metadata"].ToString() == "true";
        var matching = _messages.Where(m => m.Channel == channel && IsInChannel(m) && m.ReceivedAt.ToUnixTimeMilliseconds() / 1000.0 >= oldest - 0.001)
            .Reverse().ToArray();
        var messages = matching.Skip(skip).Take(limit)
            .Select(m => new Dictionary<string, object?>
            {
                ["type"] = "message",
                ["ts"] = m.Ts,
                ["bot_id"] = "B111",
                ["text"] = m.Body.TryGetProperty("text", out var text) ? text.GetString() : null,
                ["metadata"] = withMetadata && m.Body.TryGetProperty("metadata", out var metadata) ? (object?)metadata : null,
            })
            .ToArray();
        var hasMore = skip + messages.Length < matching.Length;
        return FakeResponse.Ok(JsonSerializer.Serialize(new
        {
            ok = true,
            messages,
            has_more = hasMore,
            response_metadata = new { next_cursor = hasMore ? WriteCursor(skip + messages.Length) : "" },
        }));
    }

    // Opaque to the client, as Slack's are: base64 of "next:<offset>".
    private static string WriteCursor(int offset) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"next:{offset.ToString(CultureInfo.InvariantCulture)}"));

    private static bool TryReadCursor(string cursor, out int offset)
    {
        offset = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            return text.StartsWith("next:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private FakeResponse UsersInfo(string userId)
    {
        var user = _users.GetValueOrDefault(userId) ?? (userId.Length > 0 && UnknownUsersAreMembers ? new FakeUser(userId) : null);
        if (user is null)
        {
            return FakeResponse.Error("user_not_found");
        }

        return FakeResponse.Ok(JsonSerializer.Serialize(new
        {
            ok = true,
            user = new
            {
                id = user.Id, team_id = user.TeamId ?? TeamId, name = user.Id.ToLowerInvariant(), deleted = user.Deleted,
                is_admin = user.IsAdmin, is_owner = user.IsOwner, is_primary_owner = false,
                is_restricted = user.IsRestricted, is_ultra_restricted = user.IsUltraRestricted, is_bot = false,
            },
        }));
    }

    private async Task HandleSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest || !context.Request.Query.ContainsKey("ticket"))
        {
            context.Response.StatusCode = 400;
            return;
        }

        var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new FakeSocket(_sockets.Count, webSocket, context, this);
        _sockets.Enqueue(socket);
        Interlocked.Increment(ref _socketCount);
        _socketArrived.Release();
        if (AutoHello)
        {
            await socket.SendHelloAsync();
        }

        await socket.ReceiveLoopAsync();
    }

    private async Task HandleHookAsync(HttpContext context, string id)
    {
        var body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        _hookPosts.Enqueue((id, body));
        ApplyResponseUrlPost(id, body);
        HookFor(id).TrySetResult(body);
        _hookArrived.Release();
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync("ok");
    }

    private TaskCompletionSource<JsonElement> HookFor(string id) =>
        _hookById.GetOrAdd(id, _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));

    private static async Task WriteAsync(HttpContext context, FakeResponse response)
    {
        if (response.Delay > TimeSpan.Zero)
        {
            await Task.Delay(response.Delay, context.RequestAborted);
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(response.Body, Encoding.UTF8);
    }
}
