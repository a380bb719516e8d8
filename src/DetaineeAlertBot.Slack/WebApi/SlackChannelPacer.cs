namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>
/// Spaces chat.postMessage calls to one channel at least <c>interval</c> apart, first come first served, so a
/// burst to one channel is paced instead of being collected as 429s. Channels do not wait for each other.
/// </summary>
/// <remarks>
/// Slack: "apps may post no more than one message per second per channel"
/// (https://docs.slack.dev/apis/web-api/rate-limits). What Slack measures is when requests arrive, which we
/// cannot see: a request that took long (a new connection, a slow network) may have arrived late. So one
/// request per channel is in flight at a time, and the next starts an interval after the previous one's
/// midpoint (its most likely arrival), measured on the clock rather than on planned slots: a timer that fires
/// late never squeezes two messages together.
/// </remarks>
internal sealed class SlackChannelPacer(TimeSpan interval, TimeSpan maxWait, TimeProvider time)
{
    private const int PruneThreshold = 1024;
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>
    /// Runs <paramref name="send"/> in this channel's turn. <paramref name="pauseAfter"/> reads the result while the
    /// turn is still held (e.g. a 429's Retry-After), so no queued call slips out before the pause applies.
    /// Throws a retryable <see cref="SlackApiException"/> when the channel's queue is longer than the maximum wait.
    /// </summary>
    public async Task<T> RunAsync<T>(string channel, Func<Task<T>> send, Func<T, TimeSpan?> pauseAfter, CancellationToken ct)
    {
        var lane = Enter(channel);
        try
        {
            await lane.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                TimeSpan wait;
                lock (_lock)
                {
                    wait = lane.NextStart - time.GetUtcNow();
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, ct).ConfigureAwait(false);
                }

                var started = time.GetUtcNow();
                var result = default(T);
                try
                {
                    result = await send().ConfigureAwait(false);
                    return result;
                }
                finally
                {
                    var ended = time.GetUtcNow();
                    var next = started + (ended - started) / 2 + interval;
                    if (result is not null && pauseAfter(result) is { } pause && ended + pause > next)
                    {
                        next = ended + pause;
                    }

                    lock (_lock)
                    {
                        // A Pause that came in meanwhile may already point later.
                        if (lane.NextStart < next)
                        {
                            lane.NextStart = next;
                        }
                    }
                }
            }
            finally
            {
                lane.Gate.Release();
            }
        }
        finally
        {
            lock (_lock)
            {
                lane.Queued--;
            }
        }
    }

    /// <summary>Slack said to wait: nothing to this channel before now + <paramref name="retryAfter"/>.</summary>
    public void Pause(string channel, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var lane = GetLane(channel);
            var until = time.GetUtcNow() + retryAfter;
            if (lane.NextStart < until)
            {
                lane.NextStart = until;
            }
        }
    }

    private Lane Enter(string channel)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            var lane = GetLane(channel);
            // Everyone queued ahead needs at least one interval; a queue that long is handed back to the caller.
            var wait = (lane.NextStart > now ? lane.NextStart - now : TimeSpan.Zero) + interval * lane.Queued;
            if (wait > maxWait)
            {
                throw new SlackApiException("chat.postMessage", "rate_limited", SlackErrorClass.Retryable,
                    $"Slack channel {channel} is paced {wait.TotalSeconds:F0} s ahead (more than {maxWait.TotalSeconds:F0} s): try later.",
                    retryAfter: wait);
            }

            lane.Queued++;
            return lane;
        }
    }

    // Call with _lock held.
    private Lane GetLane(string channel)
    {
        if (_lanes.Count > PruneThreshold)
        {
            var now = time.GetUtcNow();
            foreach (var idle in _lanes.Where(p => p.Value.Queued == 0 && p.Value.NextStart < now).Select(p => p.Key).ToList())
            {
                _lanes.Remove(idle);
            }
        }

        if (!_lanes.TryGetValue(channel, out var lane))
        {
            lane = new Lane();
            _lanes[channel] = lane;
        }

        return lane;
    }

    private sealed class Lane
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public int Queued { get; set; }

        public DateTimeOffset NextStart { get; set; } = DateTimeOffset.MinValue;
    }
}
