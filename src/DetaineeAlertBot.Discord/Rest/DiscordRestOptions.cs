namespace DetaineeAlertBot.Discord.Rest;

/// <summary>Settings of <see cref="DiscordRestClient"/>.</summary>
public sealed class DiscordRestOptions
{
    /// <summary>REST base including the version, e.g. <c>https://discord.com/api/v10</c>.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://discord.com/api/v10");

    /// <summary>Bot token, sent as <c>Authorization: Bot &lt;token&gt;</c>.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>Mandatory <c>User-Agent: DiscordBot ($url, $versionNumber)</c>.</summary>
    public string UserAgent { get; set; } = "DiscordBot (https://github.com/detainee-alert-bot/DetaineeAlertBot, 1.0)";

    /// <summary>Timeout of one HTTP attempt.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after a 5xx or a timeout/network failure (bounded; waits from <see cref="DetaineeAlertBot.Resilience.Backoff"/>).</summary>
    public int MaxServerErrorRetries { get; set; } = 3;

    /// <summary>First backoff after a 5xx or timeout; doubles per attempt (±20% jitter).</summary>
    public TimeSpan ServerErrorBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>429s retried in place; after that, or when Discord asks for a longer wait than <see cref="MaxRateLimitWait"/>, a <see cref="DiscordRateLimitedException"/> is thrown.</summary>
    public int MaxRateLimitRetries { get; set; } = 5;

    public TimeSpan MaxRateLimitWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Requests per second for all non-interaction routes (Discord's global limit is 50/s per bot).</summary>
    public int GlobalRequestsPerSecond { get; set; } = 50;

    /// <summary>Added to every bucket reset to absorb clock and latency differences.</summary>
    public TimeSpan ResetOffset { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// 401/403/429 responses allowed in a 10-minute window before the client refuses to send more
    /// (Discord bans the IP temporarily at 10,000).
    /// </summary>
    public int InvalidRequestLimit { get; set; } = 8000;
}
