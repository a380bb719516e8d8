using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Alerts;

public class AlertDispatcherTests
{
    private readonly Mock<IAlertOutbox> _outbox = new();
    private readonly FakeTimeProvider _time = new(Now);

    private static AlertMessage Alert(string id, string platform = "console", string channel = "c1", int attempt = 1) =>
        new(id, platform, channel, Case("1"), CaseStatus.Detained, CaseStatus.Released, Now, attempt);

    private AlertDispatcher Dispatcher(params IAlertSink[] sinks) =>
        new(_outbox.Object, sinks, new DeliveryRetryPolicy { MaxAttempts = 3 }, new BotMetrics(), _time, NullLogger<AlertDispatcher>.Instance);

    private void Due(params AlertMessage[] alerts) =>
        _outbox.SetupSequence(o => o.ClaimDueAsync(It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<TimeSpan>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(alerts)
            .ReturnsAsync([]);

    private static IAlertSink Sink(string platform, Func<AlertMessage, DeliveryResult> result)
    {
        var sink = new Mock<IAlertSink>();
        sink.SetupGet(s => s.Platform).Returns(platform);
        sink.Setup(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>())).ReturnsAsync((AlertMessage a, CancellationToken _) => result(a));
        return sink.Object;
    }

    [Fact]
    public async Task Dispatch_Sent_MarksSentWithExternalId()
    {
        Due(Alert("a"));

        var handled = await Dispatcher(Sink("console", _ => DeliveryResult.Sent("m1"))).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(1, handled);
        _outbox.Verify(o => o.MarkSentAsync("a", "m1", Now, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_TransientFailure_SchedulesRetryWithBackoff()
    {
        Due(Alert("a"));

        await Dispatcher(Sink("console", _ => DeliveryResult.Retry("503 Service Unavailable"))).DispatchDueAsync(CancellationToken.None);

        // Attempt 1 with base 2 s: due again between 1.6 s and 2.4 s from now.
        _outbox.Verify(o => o.MarkRetryAsync("a", "503 Service Unavailable",
            It.Is<DateTimeOffset>(t => t >= Now.AddSeconds(1.6) && t <= Now.AddSeconds(2.4)), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_SinkThrows_IsRetriedNotLost()
    {
        Due(Alert("a"));

        await Dispatcher(Sink("console", _ => throw new HttpRequestException("connection reset"))).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkRetryAsync("a", It.Is<string>(e => e.Contains("connection reset")), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_LastAttemptFails_DeadLettersWithLastError()
    {
        Due(Alert("a", attempt: 3));

        await Dispatcher(Sink("console", _ => DeliveryResult.Retry("timeout"))).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkDeadAsync("a", It.Is<string>(e => e.Contains("after 3 attempts") && e.Contains("timeout")), Now, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Dispatch_Rejected_DeadLettersAtOnce()
    {
        Due(Alert("a"));

        await Dispatcher(Sink("console", _ => DeliveryResult.Rejected("Unknown Channel (10003)"))).DispatchDueAsync(CancellationToken.None);

        _outbox.Verify(o => o.MarkDeadAsync("a", "Unknown Channel (10003)", Now, It.IsAny<CancellationToken>()), Times.Once);
        _outbox.Verify(o => o.MarkRetryAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<DateTimeOffset>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Dispatch_UnconfiguredPlatform_FallsBackToConsole()
    {
        Due(Alert("a", platform: "discord"));
        var delivered = new List<string>();

        await Dispatcher(Sink("console", a => { delivered.Add(a.Platform); return DeliveryResult.Sent(); })).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(["discord"], delivered);
    }

    [Fact]
    public async Task Dispatch_OneChannel_KeepsOrder()
    {
        Due(Alert("a"), Alert("b"), Alert("c"));
        var order = new List<string>();

        await Dispatcher(Sink("console", a => { lock (order) order.Add(a.DeliveryId); return DeliveryResult.Sent(); })).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(["a", "b", "c"], order);
    }
}
