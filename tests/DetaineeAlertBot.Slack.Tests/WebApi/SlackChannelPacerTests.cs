using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack.Tests.WebApi;

public sealed class SlackChannelPacerTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly WaitAwareTimeProvider _time = new();
    private readonly List<(string Channel, DateTimeOffset At)> _sent = [];

    [Fact]
    public async Task Run_BurstToOneChannel_StartsOnePerInterval()
    {
        var pacer = NewPacer();

        var runs = Enumerable.Range(0, 3).Select(_ => Send(pacer, "C1")).ToArray();

        await WaitForSentAsync(1);
        Assert.False(runs[1].IsCompleted);
        await AdvanceUntilAsync(runs[2]);

        Assert.Equal(3, _sent.Count);
        Assert.True(_sent[1].At - _sent[0].At >= Interval);
        Assert.True(_sent[2].At - _sent[1].At >= Interval);
    }

    [Fact]
    public async Task Run_DifferentChannels_DoNotWaitForEachOther()
    {
        var pacer = NewPacer();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Send(pacer, $"C{i}")));

        Assert.Equal(10, _sent.Count);
        Assert.All(_sent, s => Assert.Equal(_sent[0].At, s.At));
    }

    [Fact]
    public async Task Run_SlowRequest_NextWaitsFromItsMidpoint()
    {
        var pacer = NewPacer();
        var slow = new TaskCompletionSource<int>();
        var first = pacer.RunAsync("C1", () => slow.Task, _ => null, CancellationToken.None);
        var second = Send(pacer, "C1");

        // The first request takes 400 ms: it most likely reached Slack 200 ms in, so the next starts at 1.2 s.
        var start = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        slow.SetResult(1);
        await first;
        _time.Advance(TimeSpan.FromMilliseconds(799));
        Assert.False(second.IsCompleted);
        await AdvanceUntilAsync(second);

        Assert.True(Assert.Single(_sent).At - start >= TimeSpan.FromMilliseconds(1200));
    }

    [Fact]
    public async Task Run_ResultAsksForPause_NextWaitsForRetryAfter()
    {
        var pacer = NewPacer();
        await pacer.RunAsync("C1", () => Task.FromResult(429), r => r == 429 ? TimeSpan.FromSeconds(30) : null, CancellationToken.None);

        var start = _time.GetUtcNow();
        var next = Send(pacer, "C1");

        Assert.Equal(TimeSpan.FromSeconds(30), await _time.WaitForTimerAsync(because: "the pacer waiting for the pause to end"));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(next.IsCompleted);
        await AdvanceUntilAsync(next);

        Assert.True(Assert.Single(_sent).At - start >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Pause_AfterOkFalseRateLimited_NextWaitsForIt()
    {
        var pacer = NewPacer();
        await Send(pacer, "C1");

        var start = _time.GetUtcNow();
        pacer.Pause("C1", TimeSpan.FromSeconds(30));
        var next = Send(pacer, "C1");

        Assert.Equal(TimeSpan.FromSeconds(30), await _time.WaitForTimerAsync(because: "the pacer waiting for the pause to end"));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(next.IsCompleted);
        await AdvanceUntilAsync(next);

        Assert.True(_sent[^1].At - start >= TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Run_QueueLongerThanMaxWait_ThrowsRetryable()
    {
        var pacer = new SlackChannelPacer(Interval, TimeSpan.FromSeconds(2), _time);
        await Send(pacer, "C1");
        _ = Send(pacer, "C1");
        _ = Send(pacer, "C1");

        var e = await Assert.ThrowsAsync<SlackApiException>(() => Send(pacer, "C1"));

        Assert.Equal(SlackErrorClass.Retryable, e.ErrorClass);
        Assert.Equal(TimeSpan.FromSeconds(3), e.RetryAfter);
    }

    private SlackChannelPacer NewPacer() => new(Interval, TimeSpan.FromMinutes(2), _time);

    private Task<int> Send(SlackChannelPacer pacer, string channel) =>
        pacer.RunAsync(channel, () =>
        {
            lock (_sent)
            {
                _sent.Add((channel, _time.GetUtcNow()));
            }

            return Task.FromResult(200);
        }, _ => null, CancellationToken.None);

    // Each time the pacer waits on the clock, jump to the end of that wait.
    private Task AdvanceUntilAsync(Task task) => _time.RunUntilDoneAsync(task);

    private Task WaitForSentAsync(int count) => Eventually.TrueAsync(() =>
    {
        lock (_sent)
        {
            return _sent.Count >= count;
        }
    }, because: $"{count} sends started");
}
