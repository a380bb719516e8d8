using System.Net;

namespace DetaineeAlertBot.Security;

/// <summary>
/// AuthFailureThrottle slows down key guessing on push ingest: after <see cref="MaxFailures"/> wrong keys from one
/// address within <see cref="Window"/>, that address is answered 429 (with Retry-After) until the window has passed,
/// without the key being checked at all. Memory is bounded: at most <see cref="MaxAddresses"/> addresses are tracked;
/// past that, the addresses with the fewest failures are forgotten first.
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
            if (_failures.Count > MaxAddresses) Trim(now, key);
        }
    }

    /// <summary>A right key clears the address's record.</summary>
    public void RecordSuccess(IPAddress? address)
    {
        lock (_gate) _failures.Remove(Key(address));
    }

    private void Trim(DateTimeOffset now, string current)
    {
        foreach (var stale in _failures.Where(p => p.Value.Start + Window <= now).Select(p => p.Key).ToList()) _failures.Remove(stale);
        if (_failures.Count <= MaxAddresses) return;
        // Still too many live windows (a guess spread over many addresses): forget the addresses with the fewest
        // failures first, and never the one failing right now, so flooding from other addresses cannot reset the
        // count of the address that is guessing. Trim to three quarters so this sort runs rarely.
        var forget = _failures.Where(p => p.Key != current)
            .OrderBy(p => p.Value.Failures).ThenBy(p => p.Value.Start)
            .Take(_failures.Count - MaxAddresses * 3 / 4).Select(p => p.Key).ToList();
        foreach (var key in forget) _failures.Remove(key);
    }

    private static string Key(IPAddress? address) => address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
