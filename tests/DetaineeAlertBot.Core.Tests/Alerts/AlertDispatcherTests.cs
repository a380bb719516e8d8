using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Alerts;

/// <summary>What the dispatcher does with each verdict of a sink. The outbox is an in-memory fake with the store's claim,
/// term and pause rules (<see cref="InMemoryAlertOutbox"/>), so the tests read its state; the store's own behaviour is
/// tested against real SQLite and PostgreSQL in the storage and host tests. Sinks and probes are Moq seams.</summary>
public class AlertDispatcherTests
{
    private static readonly ReportTarget Admin = new("console", "console");
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryAlertOutbox _outbox;

    public AlertDispatcherTests() => _outbox = new InMemoryAlertOutbox(_time);

    private static OutboxItem Item(string id, string platform = "slack", string channel = "c1", int attempts = 0, bool inDoubt = false,
        DateTimeOffset? failingSince = null, string caseId = "1") =>
        new(id, platform, channel, new AlertMessage(id, platform, channel, Case(caseId), CaseStatus.Detained, CaseStatus.Released, Now, attempts + 1),
            null, attempts, inDoubt, inDoubt ? Now : null, failingSince, Now);

    private void Due(params OutboxItem[] items) => _outbox.Add(items);

    private AlertDispatcher Dispatcher(IAlertSink sink, IDeliveryProbe? probe = null, IPlatformProbe? platformProbe = null) =>
        new(_outbox, [sink], new DeliveryPolicy { Time = _time, GiveUpAfter = TimeSpan.FromDays(2) },
            new AdminReporter(_outbox, [Admin], NullLogger<AdminReporter>.Instance), new BotMetrics(), NullLogger<AlertDispatcher>.Instance,
            probe is null ? [] : [probe], platformProbe is null ? [] : [platformProbe], TimeSpan.FromSeconds(10));

    private static Mock<IAlertSink> Sink(params DeliveryResult[] results)
    {
        var sink = new Mock<IAlertSink>();
        sink.SetupGet(s => s.Platform).Returns("slack");
        var queue = new Queue<DeliveryResult>(results);
        sink.Setup(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>())).ReturnsAsync(() => queue.Count > 1 ? queue.Dequeue() : queue.Peek());
        return sink;
    }

    private IEnumerable<string> Incidents => _outbox.Reports.Select(r => r.Incident);

    [Fact]
    public async Task Dispatch_Sent_MarksSentUnderItsTerm()
    {
        Due(Item("a"));
        var dispatcher = Dispatcher(Sink(DeliveryResult.Sent("m1")).Object);

        Assert.Equal(1, await dispatcher.DispatchDueAsync(CancellationToken.None));

        // The fake takes marks only for a row claimed under the current term.
        Assert.Equal((OutboxState.Sent, "m1", (long?)dispatcher.Term), (_outbox["a"].State, _outbox["a"].ExternalId, _outbox["a"].Term));
    }

    [Fact]
    public async Task Dispatch_RateLimited_WaitsAsToldWithoutAnAttemptAndHoldsTheRestOfTheChannel()
    {
        Due(Item("a"), Item("b", caseId: "2"), Item("c", channel: "c2"));
        var sink = Sink(DeliveryResult.RateLimited("429", TimeSpan.FromSeconds(30)), DeliveryResult.Sent("m"));

        await Dispatcher(sink.Object).DispatchDueAsync(CancellationToken.None);

        var a = Assert.Single(_outbox["a"].Waits);
        Assert.True(!a.CountsAsAttempt && !a.Failing && !a.InDoubt && a.Delay >= TimeSpan.FromSeconds(30), $"{a}");
        var b = Assert.Single(_outbox["b"].Waits);
        Assert.True(!b.CountsAsAttempt && b.Delay >= TimeSpan.FromSeconds(30), $"{b}");
        Assert.Equal((OutboxState.Pending, OutboxState.Pending, 0, 0), (_outbox["a"].State, _outbox["b"].State, _outbox["a"].Item.Attempts, _outbox["b"].Item.Attempts));
        sink.Verify(s => s.SendAsync(It.Is<AlertMessage>(m => m.DeliveryId == "b"), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Equal((OutboxState.Sent, "m"), (_outbox["c"].State, _outbox["c"].ExternalId));
    }

    [Fact]
    public async Task Dispatch_PlatformDown_PausesThePlatformReportsItOnceAndSpendsNoAttempt()
    {
        Due(Item("a"));

        await Dispatcher(Sink(DeliveryResult.PlatformDown("invalid_auth")).Object).DispatchDueAsync(CancellationToken.None);

        var pause = Assert.Single(await _outbox.GetPausesAsync(CancellationToken.None));
        Assert.Equal(("slack", (string?)null, "invalid_auth"), (pause.Platform, pause.ChannelId, pause.Reason));
        var wait = Assert.Single(_outbox["a"].Waits);
        Assert.True(!wait.CountsAsAttempt && !wait.Failing, $"{wait}");
        Assert.Equal((OutboxState.Pending, 0), (_outbox["a"].State, _outbox["a"].Item.Attempts));
        var report = Assert.Single(_outbox.Reports);
        Assert.Equal(("platform:slack:paused", AdminReporter.MinInterval), (report.Incident, report.MinInterval));
    }

    [Fact]
    public async Task Dispatch_ChannelDownWithinGiveUpAfter_PausesTheChannelAndWaits()
    {
        Due(Item("a", failingSince: Now - TimeSpan.FromDays(1)));

        await Dispatcher(Sink(DeliveryResult.ChannelDown("channel_not_found")).Object).DispatchDueAsync(CancellationToken.None);

        var pause = Assert.Single(await _outbox.GetPausesAsync(CancellationToken.None));
        Assert.Equal(("slack", (string?)"c1", "channel_not_found"), (pause.Platform, pause.ChannelId, pause.Reason));
        var wait = Assert.Single(_outbox["a"].Waits);
        Assert.True(wait.CountsAsAttempt && wait.Failing, $"{wait}");
        Assert.Equal(OutboxState.Pending, _outbox["a"].State);
        Assert.Contains("channel:slack:c1", Incidents);
    }

    [Fact]
    public async Task Dispatch_ChannelDownPastGiveUpAfter_DeadLettersAndReportsHowToRetry()
    {
        Due(Item("a", failingSince: Now - TimeSpan.FromDays(2)));

        await Dispatcher(Sink(DeliveryResult.ChannelDown("channel_not_found")).Object).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(OutboxState.Dead, _outbox["a"].State);
        Assert.Contains("channel_not_found", _outbox["a"].Error, StringComparison.Ordinal);
        Assert.Contains("GiveUpAfter", _outbox["a"].Error, StringComparison.Ordinal);
        var report = Assert.Single(_outbox.Reports, r => r.Incident == "dead:a").Content;
        Assert.Contains(report.Lines, l => l.Contains("/alerts retry id:a", StringComparison.Ordinal));
        Assert.Contains(report.Lines, l => l.Contains("slack c1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dispatch_RejectedPayload_DeadLettersAtOnce()
    {
        Due(Item("a"));

        await Dispatcher(Sink(DeliveryResult.Rejected("invalid_blocks")).Object).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(OutboxState.Dead, _outbox["a"].State);
        Assert.Contains("invalid_blocks", _outbox["a"].Error, StringComparison.Ordinal);
        Assert.Empty(_outbox["a"].Waits);
    }

    [Fact]
    public async Task Dispatch_TransientFailure_RetriesCountingAnAttemptAndKeepsItInDoubt()
    {
        Due(Item("a", attempts: 2));

        await Dispatcher(Sink(DeliveryResult.Failed("HTTP 503", mayHaveArrived: true)).Object).DispatchDueAsync(CancellationToken.None);

        var wait = Assert.Single(_outbox["a"].Waits);
        Assert.True(wait.CountsAsAttempt && wait.InDoubt && wait.Failing && wait.Delay > TimeSpan.Zero, $"{wait}");
        Assert.Equal((OutboxState.Pending, 3, true), (_outbox["a"].State, _outbox["a"].Item.Attempts, _outbox["a"].Item.InDoubt));
    }

    [Fact]
    public async Task Dispatch_LeadLostDuringASend_AbandonsItUnmarkedAndStartsNoOther()
    {
        Due(Item("a"), Item("b", caseId: "2"));
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new Mock<IAlertSink>();
        sink.SetupGet(s => s.Platform).Returns("slack");
        sink.Setup(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>())).Returns(async (AlertMessage _, CancellationToken ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // a send that only ends when it is aborted
            return DeliveryResult.Sent();
        });
        using var lead = new CancellationTokenSource();

        var dispatch = Dispatcher(sink.Object).DispatchDueAsync(CancellationToken.None, lead.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await lead.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dispatch.WaitAsync(TimeSpan.FromSeconds(10)));
        sink.Verify(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>()), Times.Once);
        // Both rows stay claimed and unmarked: the next term takes them over.
        Assert.All(new[] { _outbox["a"], _outbox["b"] }, r => Assert.Equal((OutboxState.Sending, 0), (r.State, r.Waits.Count)));
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
        Assert.Equal((OutboxState.Sent, "c1/1764150000.000001"), (_outbox["a"].State, _outbox["a"].ExternalId));
    }

    [Fact]
    public async Task Dispatch_PausedPlatformWhoseProbePasses_IsResumedAndReported()
    {
        _outbox.Put(new DeliveryPause("slack", null, "invalid_auth", Now - TimeSpan.FromMinutes(5), Now - TimeSpan.FromSeconds(1), 3));
        var probe = new Mock<IPlatformProbe>();
        probe.SetupGet(p => p.Platform).Returns("slack");
        probe.Setup(p => p.CheckAsync(It.IsAny<CancellationToken>())).ReturnsAsync((string?)null);

        await Dispatcher(Sink(DeliveryResult.Sent()).Object, platformProbe: probe.Object).DispatchDueAsync(CancellationToken.None);

        Assert.Empty(await _outbox.GetPausesAsync(CancellationToken.None));
        Assert.Contains("platform:slack:resumed", Incidents);
    }

    [Fact]
    public async Task Dispatch_PausedPlatformWhoseProbeFails_StaysPausedAndIsCheckedLater()
    {
        _outbox.Put(new DeliveryPause("slack", null, "invalid_auth", Now, Now - TimeSpan.FromSeconds(1), 0));
        var probe = new Mock<IPlatformProbe>();
        probe.SetupGet(p => p.Platform).Returns("slack");
        probe.Setup(p => p.CheckAsync(It.IsAny<CancellationToken>())).ReturnsAsync("token_revoked");

        await Dispatcher(Sink(DeliveryResult.Sent()).Object, platformProbe: probe.Object).DispatchDueAsync(CancellationToken.None);

        var pause = Assert.Single(await _outbox.GetPausesAsync(CancellationToken.None));
        Assert.Equal(("token_revoked", 1), (pause.Reason, pause.Checks));
        Assert.True(pause.NextCheckAt > Now, $"next check {pause.NextCheckAt}");
        Assert.DoesNotContain("platform:slack:resumed", Incidents);
    }

    [Fact]
    public void Constructor_LeaseOfTenSeconds_IsKeptForClaims()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), Dispatcher(Sink(DeliveryResult.Sent()).Object).Lease);
    }
}
