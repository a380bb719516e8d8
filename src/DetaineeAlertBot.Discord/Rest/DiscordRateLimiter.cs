using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Discord.Rest;

/// <summary>
/// Header-driven, proactive rate limiting: one sequential queue per (bucket, major parameter), a route to
/// bucket-hash map learnt from <c>X-RateLimit-Bucket</c>, a global requests-per-second gate, 429 pauses
/// (bucket or global) and a count of invalid (401/403/429) responses.
/// https://discord.com/developers/docs/topics/rate-limits
/// </summary>
internal sealed class DiscordRateLimiter
{
    private static readonly TimeSpan GlobalWindow = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan InvalidWindow = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan IdleBucketLifetime = TimeSpan.FromHours(1);

    private readonly DiscordRestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, string> _routeToHash = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    private readonly Lock _globalLock = new();
    private readonly Queue<DateTimeOffset> _recentCompletions = new();
    private int _inFlight;
    private DateTimeOffset _globalPausedUntil;

    private readonly Lock _invalidLock = new();
    private readonly Queue<DateTimeOffset> _invalid = new();
    private long _acquisitions;

    public DiscordRateLimiter(DiscordRestOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Number of 401/403/429 responses in the last 10 minutes.</summary>
    public int InvalidRequestCount
    {
        get
        {
            lock (_invalidLock)
            {
                PruneInvalid(_time.GetUtcNow());
                return _invalid.Count;
            }
        }
    }

    public bool InvalidBudgetExhausted => InvalidRequestCount >= _options.InvalidRequestLimit;

    /// <summary>Waits until <paramref name="route"/> may be sent, then holds its bucket until the lease completes.</summary>
    public async ValueTask<Lease> AcquireAsync(DiscordRoute route, CancellationToken ct)
    {
        if (route.Interaction)
        {
            // Interaction callbacks and follow-ups are exempt from the global limit and each token is its own resource.
            return new Lease(this, route, null, countsGlobally: false);
        }

        if (Interlocked.Increment(ref _acquisitions) % 1000 == 0)
        {
            SweepIdleBuckets();
        }

        var bucket = BucketFor(route);
        await bucket.Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await bucket.WaitForCapacityAsync(_time, _logger, route, ct).ConfigureAwait(false);
            await EnterGlobalAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            bucket.Gate.Release();
            throw;
        }

        return new Lease(this, route, bucket, countsGlobally: true);
    }

    private Bucket BucketFor(DiscordRoute route)
    {
        // Before its hash is known, a route may start in the bucket of a related route (edit shares create's per-channel bucket).
        var key = _routeToHash.TryGetValue(route.RouteKey, out var hash) || _routeToHash.TryGetValue(route.BucketSeed ?? "", out hash)
            ? $"{hash}|{route.MajorParameter}"
            : $"{route.BucketSeed ?? route.RouteKey}|{route.MajorParameter}";
        return _buckets.GetOrAdd(key, static _ => new Bucket());
    }

    private async ValueTask EnterGlobalAsync(CancellationToken ct)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_globalLock)
            {
                var now = _time.GetUtcNow();
                if (now < _globalPausedUntil)
                {
                    wait = _globalPausedUntil - now;
                }
                else
                {
                    while (_recentCompletions.Count > 0 && _recentCompletions.Peek() + GlobalWindow <= now)
                    {
                        _recentCompletions.Dequeue();
                    }

                    // A slot is held from send until one window after the response arrived: the response comes
                    // after Discord counted the request, so no window on Discord's side can see more than the limit.
                    if (_inFlight + _recentCompletions.Count < _options.GlobalRequestsPerSecond)
                    {
                        _inFlight++;
                        return;
                    }

                    wait = _recentCompletions.Count > 0 ? _recentCompletions.Peek() + GlobalWindow - now : TimeSpan.FromMilliseconds(5);
                }
            }

            await Task.Delay(Clamp(wait), _time, ct).ConfigureAwait(false);
        }
    }

    /// <param name="notARateLimit">A 429 that is not a rate limit of the route (30046, the edit limit on old messages): it
    /// counts as an invalid request but neither blocks the bucket nor pauses anything.</param>
    private void Complete(Lease lease, HttpStatusCode? status, RateLimitHeaders? headers, bool notARateLimit = false)
    {
        var now = _time.GetUtcNow();
        if (lease.CountsGlobally)
        {
            lock (_globalLock)
            {
                _inFlight--;
                _recentCompletions.Enqueue(now);
            }
        }

        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            || (status == HttpStatusCode.TooManyRequests && headers?.Scope != "shared"))
        {
            RecordInvalid(now, lease.Route, status.Value);
        }

        if (headers is { } h)
        {
            if (lease.Bucket is { } bucket)
            {
                bucket.Update(h, now, _options.ResetOffset);
                if (h.Bucket is { Length: > 0 } hash && (!_routeToHash.TryGetValue(lease.Route.RouteKey, out var known) || known != hash))
                {
                    // Learnt (or changed) the bucket hash: later requests use hash|major, and the current state moves along.
                    _routeToHash[lease.Route.RouteKey] = hash;
                    _buckets.TryAdd($"{hash}|{lease.Route.MajorParameter}", bucket);
                    _logger.LogDebug("Discord route {Route} maps to bucket {Bucket}", lease.Route, hash);
                }
            }

            if (status == HttpStatusCode.TooManyRequests && !notARateLimit)
            {
                var retryAfter = h.RetryAfter ?? h.ResetAfter ?? TimeSpan.FromSeconds(1);
                if (h.Global)
                {
                    lock (_globalLock)
                    {
                        var until = now + retryAfter + _options.ResetOffset;
                        if (until > _globalPausedUntil)
                        {
                            _globalPausedUntil = until;
                        }
                    }

                    _logger.LogWarning("Discord global rate limit hit on {Route}; pausing all requests for {RetryAfter}", lease.Route, retryAfter);
                }
                else
                {
                    // Also covers sublimits the headers do not show (429 while Remaining > 0).
                    lease.Bucket?.Block(now + retryAfter + _options.ResetOffset);
                    _logger.LogWarning("Discord rate limit hit on {Route} (scope {Scope}, bucket {Bucket}); waiting {RetryAfter}",
                        lease.Route, h.Scope ?? "unknown", h.Bucket ?? "unknown", retryAfter);
                }
            }
        }

        lease.Bucket?.Gate.Release();
    }

    private void RecordInvalid(DateTimeOffset now, DiscordRoute route, HttpStatusCode status)
    {
        int count;
        lock (_invalidLock)
        {
            PruneInvalid(now);
            _invalid.Enqueue(now);
            count = _invalid.Count;
        }

        if (count >= _options.InvalidRequestLimit)
        {
            _logger.LogError("Discord invalid-request budget exhausted: {Count} responses 401/403/429 in 10 minutes (last: {Status} on {Route}); " +
                "refusing further requests until the window drains, to avoid a temporary IP ban", count, (int)status, route);
        }
        else if (count % 100 == 0)
        {
            _logger.LogWarning("Discord invalid requests: {Count} responses 401/403/429 in 10 minutes (limit {Limit})", count, _options.InvalidRequestLimit);
        }
    }

    private void PruneInvalid(DateTimeOffset now)
    {
        while (_invalid.Count > 0 && _invalid.Peek() + InvalidWindow <= now)
        {
            _invalid.Dequeue();
        }
    }

    private void SweepIdleBuckets()
    {
        var cutoff = _time.GetUtcNow() - IdleBucketLifetime;
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.LastUsed < cutoff && bucket.Gate.CurrentCount == 1)
            {
                _buckets.TryRemove(key, out _);
            }
        }
    }

    private static TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait;

    /// <summary>Permission to send one request; complete it with the response (or dispose it after a failure).</summary>
    internal sealed class Lease(DiscordRateLimiter owner, DiscordRoute route, Bucket? bucket, bool countsGlobally) : IDisposable
    {
        private int _done;

        public DiscordRoute Route { get; } = route;
        public Bucket? Bucket { get; } = bucket;
        public bool CountsGlobally { get; } = countsGlobally;

        public void Complete(HttpStatusCode status, RateLimitHeaders headers, bool notARateLimit = false)
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner.Complete(this, status, headers, notARateLimit);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner.Complete(this, null, null);
            }
        }
    }

    /// <summary>State of one (bucket, major parameter): requests are sent one at a time.</summary>
    internal sealed class Bucket
    {
        private int? _limit;
        private int _remaining = 1; // Only one request until headers tell us more.
        private DateTimeOffset _resetAt;

        public SemaphoreSlim Gate { get; } = new(1, 1);
        public DateTimeOffset LastUsed { get; private set; }

        public async ValueTask WaitForCapacityAsync(TimeProvider time, ILogger logger, DiscordRoute route, CancellationToken ct)
        {
            var now = time.GetUtcNow();
            LastUsed = now;
            if (_remaining <= 0 && now < _resetAt)
            {
                var wait = _resetAt - now;
                logger.LogDebug("Discord bucket for {Route} exhausted; waiting {Wait} for its reset", route, wait);
                await Task.Delay(wait, time, ct).ConfigureAwait(false);
                now = time.GetUtcNow();
            }

            if (now >= _resetAt)
            {
                _remaining = Math.Max(_remaining, _limit ?? 1);
            }

            _remaining--;
        }

        public void Update(RateLimitHeaders headers, DateTimeOffset now, TimeSpan offset)
        {
            if (headers.Limit is { } limit)
            {
                _limit = limit;
            }

            if (headers.Remaining is { } remaining)
            {
                _remaining = remaining;
            }

            if (headers.ResetAfter is { } resetAfter)
            {
                _resetAt = now + resetAfter + offset;
            }
        }

        public void Block(DateTimeOffset until)
        {
            _remaining = 0;
            if (until > _resetAt)
            {
                _resetAt = until;
            }
        }
    }
}
