namespace DetaineeAlertBot.Slack.Fake;

/// <summary>A scripted answer the fake gives to the next call of one Web API method.</summary>
public sealed record FakeResponse(int Status, string Body, string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>How long the fake waits before answering, to play a slow Slack.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>HTTP 200 with <c>{"ok":false,"error":...}</c>, as Slack reports almost every failure.</summary>
    public static FakeResponse Error(string error, string? extraJson = null) =>
        new(200, $$"""{"ok":false,"error":"{{error}}"{{(extraJson is null ? "" : "," + extraJson)}}}""");

    /// <summary>HTTP 429 with Retry-After, the way Slack rate limits.</summary>
    public static FakeResponse RateLimited(int retryAfterSeconds) =>
        new(429, """{"ok":false,"error":"ratelimited"}""", Headers: new Dictionary<string, string> { ["Retry-After"] = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>A non-JSON error page, as a proxy or an outage produces.</summary>
    public static FakeResponse Html(int status) => new(status, "<html><body>Service Unavailable</body></html>", "text/html");

    /// <summary>A raw successful body.</summary>
    public static FakeResponse Ok(string json) => new(200, json);
}

/// <summary>A chat.postMessage the fake accepted; ReceivedAt is when the request arrived. Body is the message as posted;
/// its current state after edits and deletes is <see cref="FakeSlackServer.Message"/>.</summary>
public sealed record FakeMessage(string Channel, string Ts, System.Text.Json.JsonElement Body, DateTimeOffset ReceivedAt)
{
    /// <summary>The parent's ts when this is a thread reply.</summary>
    public string? ThreadTs { get; init; }

    /// <summary>A thread reply also shown in the channel.</summary>
    public bool ReplyBroadcast { get; init; }

    /// <summary>False for messages the bot token did not post (a person's, an incoming webhook's): chat.update refuses them.</summary>
    public bool PostedByBot { get; init; } = true;
}

/// <summary>A user users.info knows; <paramref name="TeamId"/> null means the fake's own workspace.</summary>
public sealed record FakeUser(string Id, bool IsAdmin = false, bool IsOwner = false, bool IsRestricted = false, bool Deleted = false,
    string? TeamId = null, bool IsUltraRestricted = false);
