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

    /// <summary>First reconnect delay; doubles per consecutive failure with ±25% jitter, up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan InitialReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Consecutive connection attempts that never reach READY/RESUMED before the client gives up.</summary>
    public int MaxConsecutiveFailures { get; set; } = 50;

    /// <summary>Failed resumes in a row before falling back to a fresh Identify.</summary>
    public int MaxResumeAttempts { get; set; } = 3;

    /// <summary>Minimum time between two Identify calls (Discord: max_concurrency per 5 s).</summary>
    public TimeSpan IdentifyInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Dispatches waiting for a handler; beyond this, new dispatches are dropped with an error log.</summary>
    public int DispatchQueueCapacity { get; set; } = 512;

    /// <summary>Dispatch handlers running at once, off the socket read loop.</summary>
    public int DispatchConcurrency { get; set; } = 8;

    /// <summary>Largest gateway message accepted.</summary>
    public int MaxMessageBytes { get; set; } = 8 * 1024 * 1024;
}
