using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Alerts;

/// <summary>What the dispatcher does with each verdict of a sink. The outbox is a Moq seam here; the store's own rules
/// (terms, order, pauses) are tested against real SQLite and PostgreSQL in the storage and host tests.</summary>
public class AlertDispatcherTests
{
    private const long Term = 7;
    private static readonly ReportTarget Admin = new("console", "console");
    private readonly Mock<IAlertOutbox> _outbox = new();
    private readonly FakeTimeProvider _time = new(Now);

    public AlertDispatcherTests()
    {
        _outbox.Setup(o => o.BeginTermAsync(It.IsAny<CancellationToken>())).ReturnsAsync(Term);
        _outbox.Setup(o => o.GetPausesAsync(It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _outbox.Setup(o => o.MarkSentAsync(It.IsAny<string>(), Term, It.IsAny<string?>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _outbox.Setup(o => o.MarkWaitingAsync(It.IsAny<string>(), Term, It.IsAny<WaitMark>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _outbox.Setup(o => o.MarkDeadAsync(It.IsAny<string>(), Term, It.IsAny<string>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _outbox.Setup(o => o.PauseAsync(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<string>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _outbox.Setup(o => o.EnqueueReportAsync(It.IsAny<string>(), It.IsAny<AdminReport>(), It.IsAny<IReadOnlyList<ReportTarget>>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(true);
    }

    private static OutboxItem Item(string id, string platform = "slack", string channel = "c1", int attempts = 0, bool inDoubt = false, DateTimeOffset? failingSince = null) =>
        new(id, platform, channel, new AlertMessage(id, platform, channel, Case("1"), CaseStatus.Detained, CaseStatus.Released, Now, attempts + 1),
            null, attempts, inDoubt, inDoubt ? Now : null, failingSince, Now);

    private void Due(params OutboxItem[] items) =>
        _outbox.SetupSequence(o => o.ClaimAsync(It.IsAny<ClaimRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ClaimedBatch(_time.GetUtcNow(), items))
            .ReturnsAsync(ClaimedBatch.Empty);

    private AlertDispatcher Dispatcher(IAlertSink sink, IDeliveryProbe? probe = null, IPlatformProbe? platformProbe = null) =>
        new(_outbox.Object, [sink], new DeliveryPolicy { Time = _time, GiveUpAfter = TimeSpan.FromDays(2) },
            new AdminReporter(_outbox.Object, [Admin], NullLogger<AdminReporter>.Instance), new BotMetrics(), NullLogger<AlertDispatcher>.Instance,
            probe is null ? [] : [probe], platformProbe is null ? [] : [platformProbe], TimeSpan.FromSeconds(10));

    private static Mock<IAlertSink> Sink(params DeliveryResult[] results)
    {
        var sink = new Mock<IAlertSink>();
        sink.SetupGet(s => s.Platform).Returns("slack");
        var queue = new Queue<DeliveryResult>(results);
        sink.Setup(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => queue.Count > 1 ? queue.Dequeue() : queue.Peek());
        return sink;
    }

    [Fact]
    public async Task Dispatch_Sent_MarksSentUnderItsTerm()
    {
        Due(Item("a"));

        Assert.Equal(1, await Dispatcher(Sink(DeliveryResult.Sent("m1")).Object).DispatchDueAsync(CancellationToken.None));

        _outbox.Verify(o => o.MarkSentAsync("a", Term, "m1", It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.ClaimAsync(It.Is<ClaimRequest>(r => r.Term == Term && r.Platforms.SequenceEqual(new[] { "slack" })), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Dispatch_RateLimited_WaitsAsToldWithoutAnAttemptAndHoldsTheRestOfTheChannel()
    {
        Due(Item("a"), Item("b"), Item("c", channel: "c2"));
        var sink = Sink(DeliveryResult.RateLimited("429", TimeSpan.FromSeconds(30)), DeliveryResult.Sent("m"));

        await Dispatcher(sink.Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkWaitingAsync("a", Term, It.Is<WaitMark>(m => !m.CountsAsAttempt && !m.Failing && !m.InDoubt && m.Delay >= TimeSpan.FromSeconds(30)), It.IsAny<CancellationToken>()));
        _outbox.Verify(o => o.MarkWaitingAsync("b", Term, It.Is<WaitMark>(m => !m.CountsAsAttempt && m.Delay >= TimeSpan.FromSeconds(30)), It.IsAny<CancellationToken>()));
        sink.Verify(s => s.SendAsync(It.Is<AlertMessage>(a => a.DeliveryId == "b"), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.MarkSentAsync("c", Term, "m", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_PlatformDown_PausesThePlatformReportsItOnceAndSpendsNoAttempt()
    {
        Due(Item("a"));

        await Dispatcher(Sink(DeliveryResult.PlatformDown("invalid_auth")).Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.PauseAsync("slack", null, "invalid_auth", It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.MarkWaitingAsync("a", Term, It.Is<WaitMark>(m => !m.CountsAsAttempt && !m.Failing), It.IsAny<CancellationToken>()));
        _outbox.Verify(o => o.EnqueueReportAsync("platform:slack:paused", It.IsAny<AdminReport>(), It.IsAny<IReadOnlyList<ReportTarget>>(), AdminReporter.MinInterval,
            It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.MarkDeadAsync(It.IsAny<string>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Dispatch_ChannelDownWithinGiveUpAfter_PausesTheChannelAndWaits()
    {
        Due(Item("a", failingSince: Now - TimeSpan.FromDays(1)));

        await Dispatcher(Sink(DeliveryResult.ChannelDown("channel_not_found")).Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.PauseAsync("slack", "c1", "channel_not_found", It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.MarkWaitingAsync("a", Term, It.Is<WaitMark>(m => m.CountsAsAttempt && m.Failing), It.IsAny<CancellationToken>()));
        _outbox.Verify(o => o.EnqueueReportAsync("channel:slack:c1", It.IsAny<AdminReport>(), It.IsAny<IReadOnlyList<ReportTarget>>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()));
        _outbox.Verify(o => o.MarkDeadAsync(It.IsAny<string>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Dispatch_ChannelDownPastGiveUpAfter_DeadLettersAndReportsHowToRetry()
    {
        Due(Item("a", failingSince: Now - TimeSpan.FromDays(2)));
        AdminReport? report = null;
        _outbox.Setup(o => o.EnqueueReportAsync("dead:a", It.IsAny<AdminReport>(), It.IsAny<IReadOnlyList<ReportTarget>>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()))
            .Callback((string _, AdminReport r, IReadOnlyList<ReportTarget> _, TimeSpan _, CancellationToken _) => report = r)
            .ReturnsAsync(true);

        await Dispatcher(Sink(DeliveryResult.ChannelDown("channel_not_found")).Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkDeadAsync("a", Term, It.Is<string>(e => e.Contains("channel_not_found") && e.Contains("GiveUpAfter")), It.IsAny<CancellationToken>()), Times.Once);
        Assert.NotNull(report);
        Assert.Contains(report!.Lines, l => l.Contains("/alerts retry id:a", StringComparison.Ordinal));
        Assert.Contains(report.Lines, l => l.Contains("slack c1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispatch_RejectedPayload_DeadLettersAtOnce()
    {
        Due(Item("a"));

        await Dispatcher(Sink(DeliveryResult.Rejected("invalid_blocks")).Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkDeadAsync("a", Term, It.Is<string>(e => e.Contains("invalid_blocks")), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_TransientFailure_RetriesCountingAnAttemptAndKeepsItInDoubt()
    {
        Due(Item("a", attempts: 2));

        await Dispatcher(Sink(DeliveryResult.Failed("HTTP 503", mayHaveArrived: true)).Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkWaitingAsync("a", Term, It.Is<WaitMark>(m => m.CountsAsAttempt && m.InDoubt && m.Failing && m.Delay > TimeSpan.Zero), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Dispatch_LeadLostDuringASend_AbandonsItUnmarkedAndStartsNoOther()
    {
        Due(Item("a"), Item("b"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new Mock<IAlertSink>();
        sink.SetupGet(s => s.Platform).Returns("slack");
        sink.Setup(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>())).Returns(async (AlertMessage _, CancellationToken ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return DeliveryResult.Sent();
        });
        using var lead = new CancellationTokenSource();

        var dispatch = Dispatcher(sink.Object).DispatchDueAsync(CancellationToken.None, lead.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await lead.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatch.WaitAsync(TimeSpan.FromSeconds(10)));
        sink.Verify(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.MarkSentAsync(It.IsAny<string>(), It.IsAny<long>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.MarkWaitingAsync(It.IsAny<string>(), It.IsAny<long>(), It.IsAny<WaitMark>(), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.MarkDeadAsync(It.IsAny<string>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Dispatch_InDoubtAndFoundByTheProbe_IsMarkedSentWithoutSending()
    {
        Due(Item("a", attempts: 1, inDoubt: true));
        var sink = Sink(DeliveryResult.Sent("new"));
        var probe = new Mock<IDeliveryProbe>();
        probe.SetupGet(p => p.Platform).Returns("slack");
        probe.Setup(p => p.FindAsync(It.IsAny<AlertMessage>(), It.IsAny<DateTimeOffset>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync("c1/1764150000.000001");

        await Dispatcher(sink.Object, probe.Object).DispatchDueAsync(CancellationToken.None);

        sink.Verify(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.MarkSentAsync("a", Term, "c1/1764150000.000001", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_PausedPlatformWhoseProbePasses_IsResumedAndReported()
    {
        _outbox.Setup(o => o.GetPausesAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync([new DeliveryPause("slack", null, "invalid_auth", Now - TimeSpan.FromMinutes(5), Now - TimeSpan.FromSeconds(1), 3)]);
        _outbox.Setup(o => o.ResumeAsync("slack", null, It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _outbox.Setup(o => o.ClaimAsync(It.IsAny<ClaimRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(ClaimedBatch.Empty);
        var probe = new Mock<IPlatformProbe>();
        probe.SetupGet(p => p.Platform).Returns("slack");
        probe.Setup(p => p.CheckAsync(It.IsAny<CancellationToken>())).ReturnsAsync((string?)null);

        await Dispatcher(Sink(DeliveryResult.Sent()).Object, platformProbe: probe.Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.ResumeAsync("slack", null, It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.EnqueueReportAsync("platform:slack:resumed", It.IsAny<AdminReport>(), It.IsAny<IReadOnlyList<ReportTarget>>(), It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task Dispatch_PausedPlatformWhoseProbeFails_StaysPausedAndIsCheckedLater()
    {
        _outbox.Setup(o => o.GetPausesAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync([new DeliveryPause("slack", null, "invalid_auth", Now, Now - TimeSpan.FromSeconds(1), 0)]);
        _outbox.Setup(o => o.ClaimAsync(It.IsAny<ClaimRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(ClaimedBatch.Empty);
        var probe = new Mock<IPlatformProbe>();
        probe.SetupGet(p => p.Platform).Returns("slack");
        probe.Setup(p => p.CheckAsync(It.IsAny<CancellationToken>())).ReturnsAsync("token_revoked");

        await Dispatcher(Sink(DeliveryResult.Sent()).Object, platformProbe: probe.Object).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.ResumeAsync(It.IsAny<string>(), It.IsAny<string?>(), It.IsAny<CancellationToken>()), Times.Never);
        _outbox.Verify(o => o.DeferPauseAsync("slack", null, "token_revoked", It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public void Constructor_LeaseOfTenSeconds_IsKeptForClaims()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), Dispatcher(Sink(DeliveryResult.Sent()).Object).Lease);
    }
}
