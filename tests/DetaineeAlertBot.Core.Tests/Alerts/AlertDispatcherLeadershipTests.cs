using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Alerts;

/// <summary>The dispatcher of an instance that loses the lead stops sending at once and leaves its claimed rows to
/// their lease; a row claimed again is first looked up by the platform's probe.</summary>
public class AlertDispatcherLeadershipTests
{
    private readonly Mock<IAlertOutbox> _outbox = new();

    private static AlertMessage Alert(string id, int attempt = 1) =>
        new(id, "slack", "c1", Case("1"), CaseStatus.Detained, CaseStatus.Released, Now, attempt);

    private void Due(params AlertMessage[] alerts) =>
        _outbox.SetupSequence(o => o.ClaimDueAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<TimeSpan>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(alerts)
            .ReturnsAsync([]);

    private AlertDispatcher Dispatcher(IAlertSink sink, IDeliveryProbe? probe = null) =>
        new(_outbox.Object, [sink], new DeliveryRetryPolicy { MaxAttempts = 3 }, new BotMetrics(), new FakeTimeProvider(Now), NullLogger<AlertDispatcher>.Instance,
            probe is null ? [] : [probe], TimeSpan.FromSeconds(10));

    private sealed class BlockingSink(TaskCompletionSource started) : IAlertSink
    {
        public int Calls;

        public string Platform => "slack";

        public async Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return DeliveryResult.Sent();
        }
    }

    [Fact]
    public async Task Dispatch_LeadLostDuringASend_AbandonsItUnmarkedAndStartsNoOther()
    {
        Due(Alert("a"), Alert("b"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new BlockingSink(started);
        using var lead = new CancellationTokenSource();

        var dispatch = Dispatcher(sink).DispatchDueAsync(CancellationToken.None, lead.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await lead.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatch.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, sink.Calls);
        _outbox.Verify(o => o.MarkSentAsync(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.MarkRetryAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.MarkDeadAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Dispatch_LeadAlreadyLost_ClaimsNothing()
    {
        using var lead = new CancellationTokenSource();
        await lead.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Dispatcher(new BlockingSink(new TaskCompletionSource())).DispatchDueAsync(CancellationToken.None, lead.Token));

        _outbox.Verify(o => o.ClaimDueAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<TimeSpan>(), It.IsAny<int>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Dispatch_ClaimedAgainAndFoundByTheProbe_IsMarkedSentWithoutSending()
    {
        Due(Alert("a", attempt: 2));
        var sink = new BlockingSink(new TaskCompletionSource());
        var probe = new Mock<IDeliveryProbe>();
        probe.SetupGet(p => p.Platform).Returns("slack");
        probe.Setup(p => p.FindAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>())).ReturnsAsync("c1/1764150000.000001");

        await Dispatcher(sink, probe.Object).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(0, sink.Calls);
        _outbox.Verify(o => o.MarkSentAsync("a", "c1/1764150000.000001", Now, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public void Constructor_LeaseOfTenSeconds_IsKeptForClaims()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), Dispatcher(new BlockingSink(new TaskCompletionSource())).Lease);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AlertDispatcher(_outbox.Object, [], new DeliveryRetryPolicy(), new BotMetrics(),
            TimeProvider.System, NullLogger<AlertDispatcher>.Instance, null, TimeSpan.FromSeconds(1)));
    }
}
