using DetaineeAlertBot.Core.Alerts;

namespace DetaineeAlertBot.Core.Cards;

/// <summary>CardView is what a card shows: the latest change, who acknowledged it, and a running mute.</summary>
/// <param name="CardDeliveryId">The delivery that posted the card: its ref stays in the card's footer.</param>
public sealed record CardView(string CardId, string CardDeliveryId, AlertMessage Alert, CardAcknowledgement? Acknowledgement, CaseMute? Mute);

/// <summary>What an edit of a card message came to.</summary>
public enum CardEditOutcome
{
    Edited,

    /// <summary>The message is gone (deleted by hand, Discord 10008, Slack message_not_found).</summary>
    Gone,

    /// <summary>The platform will not edit it (Discord 30046 on old messages, Slack cant_update_message or
    /// edit_window_closed): post a new card instead.</summary>
    Refused,

    /// <summary>Some other answer (rate limited, down, failed): <see cref="CardEditResult.Failure"/> says which.</summary>
    Failed,
}

public sealed record CardEditResult(CardEditOutcome Outcome, DeliveryResult? Failure = null)
{
    public static CardEditResult Edited { get; } = new(CardEditOutcome.Edited);

    public static CardEditResult Gone(string why) => new(CardEditOutcome.Gone, DeliveryResult.Failed(why, mayHaveArrived: false));

    public static CardEditResult Refused(string why) => new(CardEditOutcome.Refused, DeliveryResult.Failed(why, mayHaveArrived: false));

    public static CardEditResult Failed(DeliveryResult failure) => new(CardEditOutcome.Failed, failure);
}

/// <summary>ICardPlatform posts, edits and replies to case cards on one platform (the host's Discord and Slack adapters).
/// Every post carries the delivery id as its idempotency key, as <see cref="IAlertSink.SendAsync"/> does.</summary>
public interface ICardPlatform
{
    string Platform { get; }

    /// <summary>Posts a new card; <see cref="DeliveryResult.ExternalId"/> is its message id.</summary>
    Task<DeliveryResult> PostCardAsync(string channelId, CardView card, CancellationToken cancellationToken);

    Task<CardEditResult> EditCardAsync(string channelId, string messageId, CardView card, CancellationToken cancellationToken);

    /// <summary>Posts the change as a reply pointing at the card (Discord message_reference; Slack thread reply, broadcast).</summary>
    Task<DeliveryResult> PostReplyAsync(string channelId, string cardMessageId, AlertMessage alert, CancellationToken cancellationToken);
}
