using System.Net;

namespace DetaineeAlertBot.Security;

/// <summary>
/// AuthFailureThrottle slows down key guessing on push ingest: after <see cref="MaxFailures"/> wrong keys from one
/// address within <see cref="Window"/>, that address is answered 429 (with Retry-After) until the window has passed,
/// without the key being checked at all. Memory is bounded: at most <see cref="MaxAddresses"/> addresses are tracked,
/// and the oldest windows are dropped first.
/// </summary>
public sealed class AuthFailureThrottle(TimeProvider time)
{
    public int MaxFailures { get; init; } = 5;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    public int MaxAddresses { get; init; } = 10_000;

    private readonly Dictionary<string, (DateTimeOffset Start, int Failures)> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>How long <paramref name="address"/> must wait before its next try; null when it may try now.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_failures.TryGetValue(Key(address), out var entry)) return null;
            var end = entry.Start + Window;
            return entry.Failures >= MaxFailures && end > now ? end - now : null;
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        var now = time.GetUtcNow();
        var key = Key(address);
        lock (_gate)
        {
            if (!_failures.TryGetValue(key, out var entry) || entry.Start + Window <= now) entry = (now, 0);
            _failures[key] = (entry.Start, entry.Failures + 1);
            if (_failures.Count > MaxAddresses) Trim(now);
        }
    }

    /// <summary>A right key clears the address's record.</summary>
    public void RecordSuccess(IPAddress? address)
    {
        lock (_gate) _failures.Remove(Key(address));
    }

    private void Trim(DateTimeOffset now)
    {
        foreach (var stale in _failures.Where(p => p.Value.Start + Window <= now).Select(p => p.Key).ToList()) _failures.Remove(stale);
        // Still too many live windows (a distributed guess): forget the oldest half rather than grow without bound.
        if (_failures.Count > MaxAddresses)
        {
            foreach (var oldest in _failures.OrderBy(p => p.Value.Start).Take(_failures.Count / 2).Select(p => p.Key).ToList()) _failures.Remove(oldest);
        }
    }

    private static string Key(IPAddress? address) => address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
