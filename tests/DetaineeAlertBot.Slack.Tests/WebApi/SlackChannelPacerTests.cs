using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Slack.Tests.WebApi;

public sealed class SlackChannelPacerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task WaitTurn_BurstToOneChannel_ReleasesOnePerInterval()
    {
        var time = new FakeTimeProvider();
        var pacer = new SlackChannelPacer(Interval, TimeSpan.FromMinutes(2), time);

        var turns = Enumerable.Range(0, 3).Select(_ => pacer.WaitTurnAsync("C1", CancellationToken.None)).ToArray();

        Assert.True(turns[0].IsCompletedSuccessfully);
        Assert.False(turns[1].IsCompleted);
        time.Advance(Interval);
        await turns[1];
        Assert.False(turns[2].IsCompleted);
        time.Advance(Interval);
        await turns[2];
    }

    [Fact]
    public void WaitTurn_DifferentChannels_DoNotWaitForEachOther()
    {
        var time = new FakeTimeProvider();
        var pacer = new SlackChannelPacer(Interval, TimeSpan.FromMinutes(2), time);

        var turns = Enumerable.Range(0, 10).Select(i => pacer.WaitTurnAsync($"C{i}", CancellationToken.None)).ToArray();

        Assert.All(turns, t => Assert.True(t.IsCompletedSuccessfully));
    }

    [Fact]
    public async Task Pause_AfterRetryAfter_NextTurnWaitsForIt()
    {
        var time = new FakeTimeProvider();
        var pacer = new SlackChannelPacer(Interval, TimeSpan.FromMinutes(2), time);
        await pacer.WaitTurnAsync("C1", CancellationToken.None);

        pacer.Pause("C1", TimeSpan.FromSeconds(30));
        var next = pacer.WaitTurnAsync("C1", CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        await next;
    }

    [Fact]
    public async Task WaitTurn_QueueLongerThanMaxWait_ThrowsRetryable()
    {
        var time = new FakeTimeProvider();
        var pacer = new SlackChannelPacer(Interval, TimeSpan.FromSeconds(2), time);
        _ = pacer.WaitTurnAsync("C1", CancellationToken.None);
        _ = pacer.WaitTurnAsync("C1", CancellationToken.None);
        _ = pacer.WaitTurnAsync("C1", CancellationToken.None);

        var e = await Assert.ThrowsAsync<SlackApiException>(() => pacer.WaitTurnAsync("C1", CancellationToken.None));

        Assert.Equal(SlackErrorClass.Retryable, e.ErrorClass);
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
    }
}
