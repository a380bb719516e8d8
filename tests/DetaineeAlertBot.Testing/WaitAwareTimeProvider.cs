using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Testing;

/// <summary>A <see cref="FakeTimeProvider"/> that knows which of its timers are armed (a <c>Task.Delay</c>, a
/// <c>CancellationTokenSource</c> timeout, a periodic timer), so a test waits for the state "the code under test is
/// waiting on the clock" and then jumps straight to that wait's end, instead of nudging the clock in small steps with
/// real sleeps in between.</summary>
public sealed class WaitAwareTimeProvider : FakeTimeProvider
{
    private readonly Lock _lock = new();

    // Held while a timer is created or changed and while the clock moves, so a timer is never recorded against one
    // "now" and scheduled by the base class against another (which would leave it recorded as due but never firing).
    private readonly object _clock = new();
    private readonly Dictionary<TrackedTimer, DateTimeOffset> _armed = [];

    public WaitAwareTimeProvider()
    {
    }

    public WaitAwareTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>How many timers are armed now.</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock) return _armed.Count;
        }
    }

    /// <summary>The earliest armed timer's due time no further than <paramref name="horizon"/> ahead, or null.</summary>
    public DateTimeOffset? NextDue(TimeSpan? horizon = null)
    {
        var limit = GetUtcNow() + (horizon ?? TimeSpan.FromHours(1));
        lock (_lock)
        {
            return _armed.Values.Where(d => d <= limit).Order().Cast<DateTimeOffset?>().FirstOrDefault();
        }
    }

    /// <summary>Waits (real time, bounded) until the code under test arms a timer due within
    /// <paramref name="horizon"/>, and returns how far ahead it is due.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(TimeSpan? horizon = null, string? because = null)
    {
        DateTimeOffset? due = null;
        await Eventually.TrueAsync(() => (due = NextDue(horizon)) is not null, because: because ?? "the code under test to wait on the fake clock").ConfigureAwait(false);
        return due!.Value - GetUtcNow();
    }

    /// <summary>Runs <paramref name="task"/> to its end on fake time: each time it waits on the clock (a timer due
    /// within <paramref name="horizon"/>, so a long request timeout armed alongside is not fired), the clock jumps to
    /// that timer's due time.</summary>
    public async Task RunUntilDoneAsync(Task task, TimeSpan? horizon = null)
    {
        while (!task.IsCompleted)
        {
            DateTimeOffset? due = null;
            await Eventually.TrueAsync(() => task.IsCompleted || (due = NextDue(horizon)) is not null,
                because: "the code under test to finish or wait on the fake clock").ConfigureAwait(false);
            if (!task.IsCompleted && due is { } at)
            {
                var step = at - GetUtcNow();
                Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);
            }
        }

        await task.ConfigureAwait(false);
    }

    /// <summary>Moves the clock (see <see cref="FakeTimeProvider.Advance"/>), never while a timer is being created.</summary>
    public new void Advance(TimeSpan delta)
    {
        lock (_clock) base.Advance(delta);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer(this);
        lock (_clock)
        {
            tracked.Arm(dueTime, period);
            tracked.Inner = base.CreateTimer(s =>
            {
                tracked.Fired();
                callback(s);
            }, state, dueTime, period);
        }
        return tracked;
    }

    private sealed class TrackedTimer(WaitAwareTimeProvider owner) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                _period = period;
                if (dueTime == Timeout.InfiniteTimeSpan) owner._armed.Remove(this);
                else owner._armed[this] = owner.GetUtcNow() + dueTime;
            }
        }

        // A period of zero or infinity is a one-shot timer, as with System.Threading.Timer.
        public void Fired() => Arm(_period == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : _period, _period);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._clock)
            {
                Arm(dueTime, period);
                return Inner.Change(dueTime, period);
            }
        }

        public void Dispose()
        {
            lock (owner._lock) owner._armed.Remove(this);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            lock (owner._lock) owner._armed.Remove(this);
            return Inner.DisposeAsync();
        }
    }
}
