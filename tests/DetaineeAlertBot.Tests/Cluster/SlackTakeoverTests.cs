using DetaineeAlertBot.Adapters;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace DetaineeAlertBot.Tests.Cluster;

/// <summary>A row claimed again (its leader died mid-send, or an attempt ended without an answer) is looked up in the
/// Slack channel's history by delivery id before it is posted again: Slack has no idempotency key of its own.</summary>
public sealed class SlackTakeoverTests : IAsyncLifetime
{
    private static readonly DateTimeOffset ObservedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
    private readonly Mock<IAlertOutbox> _outbox = new();
    private FakeSlackServer _slack = null!;
    private SlackApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeSlackServer.StartAsync();
        _api = new SlackApiClient(new HttpClient(), new SlackApiClientOptions { BaseUrl = _slack.ApiBaseUrl, BotToken = FakeSlackServer.DefaultBotToken },
            TimeProvider.System, NullLogger<SlackApiClient>.Instance);
    }

    public async Task DisposeAsync() => await _slack.DisposeAsync();

    private static AlertMessage Alert(string deliveryId, int attempt) => new(
        deliveryId, "slack", "C0001", new CaseRecord { Source = "push", Id = "c-1", Name = "Amir Amiry", Status = CaseStatus.Released },
        CaseStatus.Detained, CaseStatus.Released, ObservedAt, attempt);

    private const long Term = 3;

    private AlertDispatcher Dispatcher(AlertMessage due)
    {
        // Attempt 2 stands for a row whose earlier send had an unknown outcome (in doubt).
        var item = new OutboxItem(due.DeliveryId, due.Platform, due.ChannelId, due, null, due.Attempt - 1, due.Attempt > 1,
            due.Attempt > 1 ? ObservedAt : null, null, ObservedAt);
        _outbox.Setup(o => o.BeginTermAsync(It.IsAny<CancellationToken>())).ReturnsAsync(Term);
        _outbox.Setup(o => o.GetPausesAsync(It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _outbox.Setup(o => o.MarkSentAsync(It.IsAny<string>(), Term, It.IsAny<string?>(), It.IsAny<CancellationToken>())).ReturnsAsync(true);
        _outbox.SetupSequence(o => o.ClaimAsync(It.IsAny<ClaimRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ClaimedBatch(DateTimeOffset.UtcNow, [item]))
            .ReturnsAsync(ClaimedBatch.Empty);
        var sink = new SlackAlertSink(_api, new HealthRegistry(TimeProvider.System), NullLogger<SlackAlertSink>.Instance);
        return new AlertDispatcher(_outbox.Object, [sink], new DeliveryPolicy(), new AdminReporter(_outbox.Object, [], NullLogger<AdminReporter>.Instance),
            new BotMetrics(), NullLogger<AlertDispatcher>.Instance, [new SlackDeliveryProbe(_api)], [], TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Takeover_OfARowTheDeadLeaderHadPosted_MarksItSentWithoutPostingAgain()
    {
        // The dead leader's attempt 1 reached Slack, then it died before marking the row sent.
        var sink = new SlackAlertSink(_api, new HealthRegistry(TimeProvider.System), NullLogger<SlackAlertSink>.Instance);
        var first = await sink.SendAsync(Alert("d0000000000000000000000a", attempt: 1), CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Sent, first.Outcome);

        await Dispatcher(Alert("d0000000000000000000000a", attempt: 2)).DispatchDueAsync(CancellationToken.None);

        var message = Assert.Single(_slack.Messages);
        Assert.Equal(1, _slack.Calls("conversations.history"));
        Assert.Equal(1, _slack.Calls("chat.postMessage"));
        _outbox.Verify(o => o.MarkSentAsync("d0000000000000000000000a", Term, $"C0001/{message.Ts}", It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Takeover_OfARowThatNeverReachedSlack_PostsItOnce()
    {
        // Another alert in the channel carries another delivery id: it must not be mistaken for this one.
        var sink = new SlackAlertSink(_api, new HealthRegistry(TimeProvider.System), NullLogger<SlackAlertSink>.Instance);
        await sink.SendAsync(Alert("d0000000000000000000000b", attempt: 1), CancellationToken.None);

        await Dispatcher(Alert("d0000000000000000000000c", attempt: 2)).DispatchDueAsync(CancellationToken.None);

        Assert.Equal(2, _slack.Messages.Count);
        Assert.Equal(1, _slack.Calls("conversations.history"));
        _outbox.Verify(o => o.MarkSentAsync("d0000000000000000000000c", Term, It.Is<string>(id => id.StartsWith("C0001/", StringComparison.Ordinal)), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Takeover_WhenHistoryCannotBeRead_SendsAnywayRatherThanLoseTheAlert()
    {
        _slack.Enqueue("conversations.history", FakeResponse.Error("missing_scope"));

        await Dispatcher(Alert("d0000000000000000000000d", attempt: 2)).DispatchDueAsync(CancellationToken.None);

        Assert.Single(_slack.Messages);
        _outbox.Verify(o => o.MarkSentAsync("d0000000000000000000000d", Term, It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task FirstAttempt_IsPostedWithoutReadingHistory()
    {
        await Dispatcher(Alert("d0000000000000000000000e", attempt: 1)).DispatchDueAsync(CancellationToken.None);

        Assert.Single(_slack.Messages);
        Assert.Equal(0, _slack.Calls("conversations.history"));
    }
}
