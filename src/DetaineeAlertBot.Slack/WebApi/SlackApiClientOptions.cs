namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>Settings for <see cref="SlackApiClient"/>. Defaults follow Slack's published limits.</summary>
public sealed class SlackApiClientOptions
{
    /// <summary>Web API base, ending in <c>/api/</c>.</summary>
    public string BaseUrl { get; set; } = "https://slack.com/api/";

    /// <summary>Bot token (xoxb-...), sent as <c>Authorization: Bearer</c>.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>Attempts per call, the first included. Bounds every retry loop.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>
    /// Spacing of messages to one channel. Slack allows one per second; the extra 50 ms absorbs
    /// network and scheduling jitter so paced sends are not counted as too early on Slack's side.
    /// </summary>
    public TimeSpan ChannelMessageInterval { get; set; } = TimeSpan.FromMilliseconds(1050);

    /// <summary>Longest a send may queue for its channel slot before it is handed back as retryable.</summary>
    public TimeSpan MaxPacingWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A Retry-After longer than this is not slept through: the call fails as retryable with the wait.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Wait used when a 429 carries no usable Retry-After header.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>First wait after a failed attempt (5xx, transport error, retryable ok:false without a Retry-After); doubles per
    /// failure with ±20% jitter (<see cref="DetaineeAlertBot.Resilience.Backoff"/>), up to <see cref="MaxRetryBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Upper bound of the random delay added to a Retry-After wait, so the callers Slack paused do not return in lockstep.</summary>
    public TimeSpan RetryJitter { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>chat.update calls per <see cref="MessageUpdateWindow"/> for the whole workspace (Tier 3: "50+ per minute",
    /// https://api.slack.com/methods/chat.update); a burst of edits waits for its turn instead of drawing 429s. 0 turns
    /// the pacing off.</summary>
    public int MessageUpdatesPerWindow { get; set; } = 50;

    public TimeSpan MessageUpdateWindow { get; set; } = TimeSpan.FromMinutes(1);
}
