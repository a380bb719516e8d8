namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>
/// Spaces the Identify calls of a bot's shards as Discord requires: shards share <c>max_concurrency</c> buckets
/// (rate limit key = shard_id % max_concurrency), and each bucket allows one Identify per 5 seconds.
/// https://discord.com/developers/docs/events/gateway#session-start-limit-object
/// </summary>
public sealed class DiscordIdentifyLimiter
{
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim[] _buckets;
    private readonly DateTimeOffset?[] _last;

    public DiscordIdentifyLimiter(int maxConcurrency, TimeSpan? interval = null, TimeProvider? time = null)
    {
        MaxConcurrency = Math.Max(1, maxConcurrency);
        _interval = interval ?? TimeSpan.FromSeconds(5);
        _time = time ?? TimeProvider.System;
        _buckets = Enumerable.Range(0, MaxConcurrency).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
        _last = new DateTimeOffset?[MaxConcurrency];
    }

    public int MaxConcurrency { get; }

    /// <summary>Returns when shard <paramref name="shardId"/> may identify, and books its bucket from now.</summary>
    public async Task WaitAsync(int shardId, CancellationToken ct)
    {
        var key = shardId % MaxConcurrency;
        await _buckets[key].WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_last[key] is { } last && last + _interval - _time.GetUtcNow() is var wait && wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            }

            _last[key] = _time.GetUtcNow();
        }
        finally
        {
            _buckets[key].Release();
        }
    }
}
