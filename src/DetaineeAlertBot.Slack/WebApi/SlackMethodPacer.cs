namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>
/// Keeps one Web API method under its per-workspace tier: at most <c>limit</c> requests start in any <c>window</c>
/// (e.g. chat.update, Tier 3: 50 a minute, https://docs.slack.dev/apis/web-api/rate-limits). Each caller reserves the
/// earliest start that keeps every window at or under the limit, first come first served, and waits for it on the
/// clock: a burst of edits goes out as fast as the tier allows instead of collecting 429s.
/// </summary>
/// <remarks>
/// This is a sliding-window log, not a token bucket with a burst: a bucket of <c>limit</c> tokens refilling at
/// <c>limit</c> a minute lets nearly twice the limit through in the first minute, which is what draws 429s. Reservations
/// never decrease (each is at least the one <c>limit</c> places earlier plus the window, and at least now), so the last
/// <c>limit</c> of them are enough. A cancelled waiter's slot is not given back: the pacer only errs on the slow side.
/// </remarks>
internal sealed class SlackMethodPacer
{
    private readonly string _method;
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _time;
    private readonly Queue<DateTimeOffset> _starts = new();
    private readonly Lock _lock = new();

    /// <summary>Slack counts a request when it arrives, we when it starts: a request started a window after another may
    /// arrive a little sooner after it than it started (seen as one 429 on the 51st edit of a minute). Waiting this much
    /// longer than the window keeps every arrival inside the tier.</summary>
    internal static readonly TimeSpan ArrivalMargin = TimeSpan.FromMilliseconds(250);

    public SlackMethodPacer(string method, int limit, TimeSpan window, TimeSpan maxWait, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _method = method;
        _limit = limit;
        _window = window;
        _maxWait = maxWait;
        _time = time;
    }

    /// <summary>Waits for this request's turn. Throws a retryable <see cref="SlackApiException"/> when the turn is further
    /// ahead than the maximum wait (nothing is reserved then).</summary>
    public async Task WaitTurnAsync(CancellationToken ct)
    {
        TimeSpan wait;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            var start = _starts.Count < _limit ? now : Max(now, _starts.ElementAt(_starts.Count - _limit) + _window + ArrivalMargin);
            if (_starts.Count > 0 && _starts.Last() > start)
            {
                start = _starts.Last();
            }

            wait = start - now;
            if (wait > _maxWait)
            {
                throw new SlackApiException(_method, "rate_limited", SlackErrorClass.Retryable,
                    $"Slack {_method} is paced {wait.TotalSeconds:F0} s ahead (more than {_maxWait.TotalSeconds:F0} s): try later.",
                    retryAfter: wait);
            }

            _starts.Enqueue(start);
            while (_starts.Count > _limit)
            {
                _starts.Dequeue();
            }
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Slack said to wait (a 429 despite the pacing, e.g. another process on the same token): nothing starts before
    /// now + <paramref name="retryAfter"/>.</summary>
    public void Pause(TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var until = _time.GetUtcNow() + retryAfter;
            // Fill the window with the pause, so the next start is at or after it.
            while (_starts.Count < _limit)
            {
                _starts.Enqueue(until - _window);
            }

            var items = _starts.ToArray();
            _starts.Clear();
            foreach (var start in items)
            {
                _starts.Enqueue(Max(start, until - _window));
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
