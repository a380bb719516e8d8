namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>Settings of <see cref="DiscordGatewayClient"/>. Every wait is bounded.</summary>
public sealed class DiscordGatewayOptions
{
    public string BotToken { get; set; } = "";

    /// <summary>0: interactions need no intent (INTERACTION_CREATE is always sent).</summary>
    public int Intents { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>Time from Identify/Resume to READY/RESUMED.</summary>
    public TimeSpan ReadyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First reconnect delay (<see cref="DetaineeAlertBot.Resilience.Backoff"/>): doubles per consecutive failure with ±20% jitter, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan InitialReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Consecutive connection attempts that never reach READY/RESUMED before the client gives up.</summary>
    public int MaxConsecutiveFailures { get; set; } = 50;

    /// <summary>Failed resumes in a row before falling back to a fresh Identify.</summary>
    public int MaxResumeAttempts { get; set; } = 3;

    /// <summary>This connection's shard when the bot runs several (<see cref="ShardCount"/> &gt; 1): Identify then
    /// carries <c>shard: [ShardId, ShardCount]</c>. https://discord.com/developers/docs/events/gateway#sharding</summary>
    public int ShardId { get; set; }

    public int ShardCount { get; set; } = 1;

    /// <summary>Shared by the shards of one bot: at most max_concurrency Identify calls per 5 s, one per rate-limit key.</summary>
    public DiscordIdentifyLimiter? IdentifyLimiter { get; set; }

    /// <summary>Minimum time between two Identify calls (Discord: max_concurrency per 5 s).</summary>
    public TimeSpan IdentifyInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Dispatches waiting for a handler; beyond this, new dispatches are dropped with an error log.</summary>
    public int DispatchQueueCapacity { get; set; } = 512;

    /// <summary>Dispatch handlers running at once, off the socket read loop.</summary>
    public int DispatchConcurrency { get; set; } = 8;

    /// <summary>Largest gateway message accepted.</summary>
    public int MaxMessageBytes { get; set; } = 8 * 1024 * 1024;
}
