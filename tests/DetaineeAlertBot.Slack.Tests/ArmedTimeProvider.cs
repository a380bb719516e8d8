using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Slack.Tests;

/// <summary>
/// Fake time that reports the timers the client arms, so a test advances the clock only once the client is waiting
/// (on a state, not on a sleep), and can tell which wait it armed by its due time.
/// </summary>
internal sealed class ArmedTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _armed = new();
    private readonly SemaphoreSlim _signal = new(0);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Enqueue(dueTime);
        _signal.Release();
        return timer;
    }

    /// <summary>Waits until the client has armed a timer whose due time matches, and returns that due time.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> due)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            foreach (var armed in _armed)
            {
                if (due(armed))
                {
                    return armed;
                }
            }

            await _signal.WaitAsync(timeout.Token);
        }
    }
}
