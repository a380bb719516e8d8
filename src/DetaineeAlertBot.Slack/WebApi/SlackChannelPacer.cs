namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>
/// Spaces chat.postMessage calls to one channel at least <c>interval</c> apart, first come first served,
/// so a burst to one channel is paced instead of being collected as 429s. Channels do not wait for each other.
/// </summary>
/// <remarks>
/// Slack: "apps may post no more than one message per second per channel"
/// (https://docs.slack.dev/apis/web-api/rate-limits). Each caller reserves the next free slot under a
/// lock, then waits outside it.
/// </remarks>
internal sealed class SlackChannelPacer(TimeSpan interval, TimeSpan maxWait, TimeProvider time)
{
    private const int PruneThreshold = 1024;
    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Waits for this channel's next slot. Throws a retryable <see cref="SlackApiException"/> when the queue is longer than the maximum wait.</summary>
    public async Task WaitTurnAsync(string channel, CancellationToken ct)
    {
        var wait = Reserve(channel);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Slack said to wait: no slot for this channel before now + <paramref name="retryAfter"/>.</summary>
    public void Pause(string channel, TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var until = time.GetUtcNow() + retryAfter;
            if (!_nextSlot.TryGetValue(channel, out var next) || next < until)
            {
                _nextSlot[channel] = until;
            }
        }
    }

    private TimeSpan Reserve(string channel)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_nextSlot.Count > PruneThreshold)
            {
                foreach (var stale in _nextSlot.Where(p => p.Value < now).Select(p => p.Key).ToList())
                {
                    _nextSlot.Remove(stale);
                }
            }

            var slot = _nextSlot.TryGetValue(channel, out var next) && next > now ? next : now;
            var wait = slot - now;
            if (wait > maxWait)
            {
                throw new SlackApiException("chat.postMessage", "rate_limited", SlackErrorClass.Retryable,
                    $"Slack channel {channel} is paced {wait.TotalSeconds:F0} s ahead (more than {maxWait.TotalSeconds:F0} s): try later.",
                    retryAfter: wait);
            }

            _nextSlot[channel] = slot + interval;
            return wait;
        }
    }
}
