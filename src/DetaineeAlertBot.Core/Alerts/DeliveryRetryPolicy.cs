namespace DetaineeAlertBot.Core.Alerts;

/// <summary>DeliveryRetryPolicy decides when a failed delivery is tried again: capped exponential backoff with
/// jitter, or the platform's own Retry-After, and dead-lettering after <see cref="MaxAttempts"/>.</summary>
public sealed class DeliveryRetryPolicy
{
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>True when the attempt just made was the last one allowed.</summary>
    public bool IsExhausted(int attempt) => attempt >= MaxAttempts;

    /// <summary>Delay before the next attempt after <paramref name="attempt"/> failed (1-based).</summary>
    /// <param name="unit">A number in [0, 1) for jitter (Random.Shared.NextDouble() in production).</param>
    public TimeSpan NextDelay(int attempt, TimeSpan? retryAfter, double unit)
    {
        if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            // The platform said how long; add a little jitter so many rows do not return in the same instant.
            return wait + TimeSpan.FromMilliseconds(250 * unit);
        }
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var raw = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        // Jitter in [80%, 120%) spreads retries from one outage, and the cap holds after it.
        return TimeSpan.FromMilliseconds(Math.Min(MaxDelay.TotalMilliseconds, raw * (0.8 + 0.4 * unit)));
    }
}
