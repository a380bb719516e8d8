using DetaineeAlertBot.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Core.Tests.Resilience;

public class BackoffTests
{
    private static readonly Backoff Policy = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData(1, 0.5, 1000)]
    [InlineData(2, 0.5, 2000)]
    [InlineData(5, 0.5, 16000)]
    [InlineData(6, 0.5, 30000)]
    [InlineData(1000, 0.5, 30000)]
    public void Delay_DoublesPerFailureUpToTheCap(int failures, double unit, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Policy.Delay(failures, unit));

    [Fact]
    public void Delay_JitterSpreadsWithinTwentyPercentAndNeverAboveTheCap()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(3200), Policy.Delay(3, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(4800), Policy.Delay(3, 1));
        Assert.Equal(TimeSpan.FromSeconds(30), Policy.Delay(10, 0.999));
        Assert.Equal(TimeSpan.FromSeconds(24), Policy.Delay(10, 0));
    }

    [Fact]
    public void Delay_ZeroOrFirstFailureBelowOne_TreatedAsTheFirst() =>
        Assert.Equal(Policy.Delay(1, 0.5), Policy.Delay(0, 0.5));

    [Fact]
    public async Task WaitAsync_WaitsOnTheGivenClock()
    {
        var time = new FakeTimeProvider();
        var wait = new Backoff(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), Jitter: 0).WaitAsync(1, time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
