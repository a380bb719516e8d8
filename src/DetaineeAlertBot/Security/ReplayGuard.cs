namespace DetaineeAlertBot.Security;

/// <summary>What <see cref="ReplayGuard.TryRecord"/> found.</summary>
public enum ReplayVerdict
{
    /// <summary>Not seen within its window: go ahead (it is remembered now).</summary>
    First,

    /// <summary>Already handled: a captured request sent again. Do not execute it.</summary>
    Replayed,

    /// <summary>The memory is full of requests still inside their window: refuse for now rather than forget one.</summary>
    Full,
}

/// <summary>
/// ReplayGuard remembers the signed requests already executed (a Discord interaction id, a Slack request signature)
/// until their signature would be refused as too old anyway, so a captured request cannot be run twice. The memory is
/// bounded in time (each entry lives only as long as its window) and in size (<see cref="Capacity"/>): when it is full
/// of live entries it answers <see cref="ReplayVerdict.Full"/> instead of dropping one, which would reopen a replay.
/// </summary>
public sealed class ReplayGuard(TimeProvider time, int capacity = ReplayGuard.DefaultCapacity)
{
    /// <summary>Far above what one team's chat sends within a few minutes; ~100 bytes per entry.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Dictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _expiry = new();
    private readonly Lock _gate = new();

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count
    {
        get
        {
            lock (_gate) return _until.Count;
        }
    }

    /// <summary>Records <paramref name="key"/> as handled until <paramref name="rememberUntil"/> (when its signature expires).</summary>
    public ReplayVerdict TryRecord(string key, DateTimeOffset rememberUntil)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Expire(now);
            if (_until.TryGetValue(key, out var until) && until > now) return ReplayVerdict.Replayed;
            if (_until.Count >= Capacity) return ReplayVerdict.Full;
            _until[key] = rememberUntil;
            _expiry.Enqueue(key, rememberUntil);
            return ReplayVerdict.First;
        }
    }

    private void Expire(DateTimeOffset now)
    {
        while (_expiry.TryPeek(out var key, out var until) && until <= now)
        {
            _expiry.Dequeue();
            // A key is enqueued once per live period, so its entry is the one that just expired.
            if (_until.TryGetValue(key, out var current) && current <= now) _until.Remove(key);
        }
    }
}
