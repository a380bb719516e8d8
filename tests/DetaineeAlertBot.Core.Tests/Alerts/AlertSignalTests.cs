using DetaineeAlertBot.Core.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Core.Tests.Alerts;

public class AlertSignalTests
{
    [Fact]
    public async Task Notified_BeforeOrWhileWaiting_ReturnsTrue_AndOneWakeUpCoversManyNotifies()
    {
        var signal = new AlertSignal(new FakeTimeProvider());
        signal.Notify();
        signal.Notify();

        Assert.True(await signal.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        signal.Notify();
        Assert.True(await waiting);
    }

    [Fact]
    public async Task IdleWait_EndsWhenTheFakeClockPassesTheTimeout()
    {
        var time = new FakeTimeProvider();
        var signal = new AlertSignal(time);

        var waiting = signal.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(await waiting);
        // The timed-out wait left no waiter behind to swallow the next notification.
        signal.Notify();
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
    }
}
