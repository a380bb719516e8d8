namespace DetaineeAlertBot.Resilience;

/// <summary>
/// Backoff is the wait after consecutive failures of one thing (a reconnect, a poll, a claim loop, a request retry):
/// capped exponential from <see cref="Initial"/> (doubling per failure up to <see cref="Max"/>) with ±<see cref="Jitter"/>
/// spread, so retries after one outage do not arrive together. Every wait goes through a <see cref="TimeProvider"/>, so
/// tests move fake time instead of sleeping.
/// </summary>
/// <param name="Jitter">Relative spread around the exponential value, 0 to 1 (0.2 gives 80% to 120%), never above <see cref="Max"/>.</param>
public sealed record Backoff(TimeSpan Initial, TimeSpan Max, double Jitter = 0.2)
{
    /// <summary>The delay after <paramref name="failures"/> consecutive failures (1 for the first);
    /// <paramref name="unit"/> in [0, 1) fixes the jitter (tests), else it is random.</summary>
    public TimeSpan Delay(int failures, double? unit = null)
    {
        if (Initial <= TimeSpan.Zero) return TimeSpan.Zero;
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var raw = Math.Min(Max.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, exponent));
        var spread = 1 - Jitter + 2 * Jitter * (unit ?? Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(Max.TotalMilliseconds, raw * spread));
    }

    /// <summary>Waits <see cref="Delay"/> on <paramref name="time"/>.</summary>
    public Task WaitAsync(int failures, TimeProvider time, CancellationToken cancellationToken) =>
        Task.Delay(Delay(failures), time, cancellationToken);
}
