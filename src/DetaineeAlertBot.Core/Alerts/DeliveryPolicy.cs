namespace DetaineeAlertBot.Core.Alerts;

/// <summary>DeliveryPolicy holds the timing of delivery (Alerts:*): backoff for transient failures, how long an alert
/// keeps being retried before it is a dead letter (by time, never by a count of "later" answers), and how often paused
/// platforms and channels are checked again.</summary>
public sealed class DeliveryPolicy
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Alerts:GiveUpAfter: how long a failing alert is retried before it becomes a dead letter.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromDays(2);

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Alerts:PlatformProbeInterval: how often a paused platform is asked whether it accepts us again.</summary>
    public TimeSpan PlatformProbeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Alerts:ChannelRetryInterval: how often a paused channel is tried again.</summary>
    public TimeSpan ChannelRetryInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The wait after a 429 that did not say how long.</summary>
    public TimeSpan RateLimitDefault { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when something failing since <paramref name="failingSince"/> has been retried long enough.</summary>
    public bool IsExpired(DateTimeOffset failingSince, DateTimeOffset now) => now - failingSince >= GiveUpAfter;

    /// <summary>Delay before the next attempt after <paramref name="attempt"/> failures (1-based): capped exponential,
    /// with jitter in [80%, 120%) so retries from one outage spread out, and the cap held after it.</summary>
    public TimeSpan Backoff(int attempt, double? unit = null) => new Resilience.Backoff(BaseDelay, MaxDelay).Delay(attempt, unit);

    /// <summary>A platform's wait plus up to 250 ms, so many rows do not return in the same instant.</summary>
    public TimeSpan Jitter(TimeSpan wait, double? unit = null) => wait + TimeSpan.FromMilliseconds(250 * (unit ?? Random.Shared.NextDouble()));
}
