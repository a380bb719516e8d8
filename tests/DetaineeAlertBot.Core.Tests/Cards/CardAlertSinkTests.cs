using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Core.Tests.Cards;

public sealed class CardAlertSinkTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly InMemoryCardStore _store = new();
    private readonly RecordingCardPlatform _platform = new();
    private readonly RecordingPlainSink _plain = new();

    private CardAlertSink Sink() => new(_plain, _platform, _store, _time, NullLogger<CardAlertSink>.Instance);

    private static AlertMessage Change(string deliveryId, CaseStatus from, CaseStatus to) =>
        new(deliveryId, "discord", "c1", TestData.Case("a", to), from, to, TestData.Now, 1);

    [Fact]
    public async Task FirstChange_PostsTheCard_LaterChangesEditItAndReply()
    {
        var sink = Sink();

        var first = await sink.SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Charged), None);
        var second = await sink.SendAsync(Change("d2", CaseStatus.Charged, CaseStatus.OnTrial), None);
        var third = await sink.SendAsync(Change("d3", CaseStatus.OnTrial, CaseStatus.Released), None);

        Assert.Equal(["post-card d1", "edit m-d1 on_trial", "reply m-d1 d2", "edit m-d1 released", "reply m-d1 d3"], _platform.Calls);
        Assert.Equal(("m-d1", "r-d2", "r-d3"), (first.ExternalId, second.ExternalId, third.ExternalId));
        var card = Assert.Single(_store.Cards);
        Assert.Equal(("m-d1", "d1", CaseStatus.Released), (card.MessageId, card.DeliveryId, card.LastAlert.NewStatus));
        Assert.Empty(_plain.Sent);
    }

    [Fact]
    public async Task PlainChannel_GoesToThePlatformsOwnSink()
    {
        await _store.SetStyleAsync("discord", "c1", CardStyle.Plain, "admin", TestData.Now, None);

        var result = await Sink().SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Released), None);

        Assert.Equal("plain-d1", result.ExternalId);
        Assert.Empty(_platform.Calls);
        Assert.Empty(_store.Cards);
    }

    [Theory]
    [InlineData(CardEditOutcome.Gone)]
    [InlineData(CardEditOutcome.Refused)]
    public async Task ACardThatCannotBeEdited_IsPostedAnew_WithoutAReply(CardEditOutcome outcome)
    {
        var sink = Sink();
        await sink.SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Charged), None);
        _platform.NextEdit = outcome == CardEditOutcome.Gone ? CardEditResult.Gone("10008 Unknown Message") : CardEditResult.Refused("30046");

        var result = await sink.SendAsync(Change("d2", CaseStatus.Charged, CaseStatus.Released), None);

        Assert.Equal(["post-card d1", "edit m-d1 released", "post-card d2"], _platform.Calls);
        Assert.Equal("m-d2", result.ExternalId);
        var card = Assert.Single(_store.Cards);
        Assert.Equal(("m-d2", "d2"), (card.MessageId, card.DeliveryId));
    }

    [Fact]
    public async Task AnEditThatFailsForNow_FailsTheRowWithoutReplying_AndTheRetryEditsAndRepliesOnce()
    {
        var sink = Sink();
        await sink.SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Charged), None);
        _platform.NextEdit = CardEditResult.Failed(DeliveryResult.RateLimited("429", TimeSpan.FromSeconds(2)));

        var limited = await sink.SendAsync(Change("d2", CaseStatus.Charged, CaseStatus.Released), None);
        var retried = await sink.SendAsync(Change("d2", CaseStatus.Charged, CaseStatus.Released) with { Attempt = 2 }, None);

        Assert.Equal(DeliveryOutcome.RateLimited, limited.Outcome);
        Assert.Equal(DeliveryOutcome.Sent, retried.Outcome);
        Assert.Equal(1, _platform.Calls.Count(c => c.StartsWith("reply", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CrashBetweenPostingAndStoring_TheNextChangeUsesTheIdFromTheOutbox_NotASecondCard()
    {
        // The card post reached the platform but the process died before SetMessageAsync; the resend's probe then
        // marked the outbox row sent with the message id (SentRows).
        await _store.StartAsync(Change("d1", CaseStatus.Detained, CaseStatus.Charged), TestData.Now, None);
        _store.SentRows["d1"] = "m-d1";

        await Sink().SendAsync(Change("d2", CaseStatus.Charged, CaseStatus.Released), None);

        Assert.Equal(["edit m-d1 released", "reply m-d1 d2"], _platform.Calls);
    }

    [Fact]
    public async Task TheCardsOwnPostRetried_PostsItAgainUnderTheSameDeliveryId_SoTheNonceAnswersIt()
    {
        var sink = Sink();
        _platform.NextPost = DeliveryResult.Failed("timeout", mayHaveArrived: true);
        await sink.SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Charged), None);

        await sink.SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Charged) with { Attempt = 2 }, None);

        Assert.Equal(["post-card d1", "post-card d1"], _platform.Calls);
        var card = Assert.Single(_store.Cards);
        Assert.Equal("m-d1", card.MessageId);
    }

    [Fact]
    public async Task MutedCase_IsWithheldWithWhy_AndNothingIsPosted()
    {
        await _store.MuteAsync(new CaseMute("discord", "c1", new CaseKey("feed", "a"), TestData.Now.AddHours(24), "u1", "Dana", TestData.Now), None);

        var muted = await Sink().SendAsync(Change("d1", CaseStatus.Detained, CaseStatus.Released), None);
        _time.Advance(TimeSpan.FromHours(25));
        var afterMute = await Sink().SendAsync(Change("d2", CaseStatus.Released, CaseStatus.Detained), None);

        Assert.Equal(DeliveryOutcome.Withheld, muted.Outcome);
        Assert.Contains("muted", muted.Error, StringComparison.Ordinal);
        Assert.Contains("Dana", muted.Error, StringComparison.Ordinal);
        Assert.Equal(DeliveryOutcome.Sent, afterMute.Outcome);
        Assert.Equal(["post-card d2"], _platform.Calls);
    }

    private sealed class RecordingCardPlatform : ICardPlatform
    {
        public List<string> Calls { get; } = [];

        public CardEditResult? NextEdit { get; set; }

        public DeliveryResult? NextPost { get; set; }

        public string Platform => "discord";

        public Task<DeliveryResult> PostCardAsync(string channelId, CardView card, CancellationToken cancellationToken)
        {
            Calls.Add($"post-card {card.CardDeliveryId}");
            var next = NextPost;
            NextPost = null;
            return Task.FromResult(next ?? DeliveryResult.Sent($"m-{card.CardDeliveryId}"));
        }

        public Task<CardEditResult> EditCardAsync(string channelId, string messageId, CardView card, CancellationToken cancellationToken)
        {
            Calls.Add($"edit {messageId} {card.Alert.NewStatus.ToWire()}");
            var next = NextEdit;
            NextEdit = null;
            return Task.FromResult(next ?? CardEditResult.Edited);
        }

        public Task<DeliveryResult> PostReplyAsync(string channelId, string cardMessageId, AlertMessage alert, CancellationToken cancellationToken)
        {
            Calls.Add($"reply {cardMessageId} {alert.DeliveryId}");
            return Task.FromResult(DeliveryResult.Sent($"r-{alert.DeliveryId}"));
        }
    }

    private sealed class RecordingPlainSink : IAlertSink
    {
        public List<AlertMessage> Sent { get; } = [];

        public string Platform => "discord";

        public Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
        {
            Sent.Add(alert);
            return Task.FromResult(DeliveryResult.Sent($"plain-{alert.DeliveryId}"));
        }

        public Task<DeliveryResult> SendReportAsync(string deliveryId, string channelId, AdminReport report, CancellationToken cancellationToken) =>
            Task.FromResult(DeliveryResult.Sent());
    }
}
