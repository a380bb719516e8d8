namespace DetaineeAlertBot.Slack.SocketMode;

/// <summary>Settings for <see cref="SlackSocketModeClient"/>.</summary>
public sealed class SlackSocketModeOptions
{
    /// <summary>App-level token (xapp-...) with connections:write.</summary>
    public string AppToken { get; set; } = "";

    /// <summary>First reconnect delay after a failure; doubles per consecutive failure with ±20% jitter (<see cref="DetaineeAlertBot.Resilience.Backoff"/>).</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect delay.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Consecutive failed connects after which the client gives up (about 100 minutes at the cap).</summary>
    public int MaxConsecutiveFailures { get; set; } = 100;

    /// <summary>How long a new socket may take to say hello before it counts as failed.</summary>
    public TimeSpan HelloTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a slash command handler may take before the envelope is acknowledged without its reply.
    /// Slack wants the ack within 3 s; the rest is margin for the network.
    /// </summary>
    public TimeSpan AckDeadline { get; set; } = TimeSpan.FromMilliseconds(2500);

    /// <summary>A connection refreshed sooner than this after it opened counts as a failure, so disconnect storms back off.</summary>
    public TimeSpan MinHealthyConnection { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket ping interval and the time without a pong after which the socket is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How many recent envelope ids are remembered to drop redeliveries.</summary>
    public int DedupeCapacity { get; set; } = 2048;

    /// <summary>Envelopes handled at once per client; more wait for a free slot (and are still acked in time when handlers are fast).</summary>
    public int MaxConcurrentEnvelopes { get; set; } = 32;

    /// <summary>Largest frame accepted; bigger ones drop the connection.</summary>
    public int MaxFrameBytes { get; set; } = 1 << 20;
}

/// <summary>What /healthz shows about Socket Mode.</summary>
public sealed record SlackSocketModeStatus(
    bool Connected,
    int OpenConnections,
    DateTimeOffset? LastHelloAt,
    string? LastDisconnectReason,
    int ConsecutiveFailures,
    string? StoppedReason)
{
    public static readonly SlackSocketModeStatus Initial = new(false, 0, null, null, 0, null);
}
