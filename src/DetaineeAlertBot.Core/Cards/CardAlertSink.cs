using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Cards;

/// <summary>
/// CardAlertSink sends alerts in the channel's style. Plain: the platform's own sink, one message per change. Card: the
/// first alert about a case posts its card; each later one edits the card to the latest status and posts the change as a
/// reply pointing at it; a card that is gone (or that the platform will not edit any more) is posted anew. Muted cases
/// are withheld (for the mute's summary), and a digest channel's changes are collected for its next digest; both hold on
/// the console too, which has no cards (<paramref name="cards"/> null: always plain). Every step is safe to repeat, so a retried outbox row (after a crash, a timeout, a lost lead) neither
/// loses the card nor posts a second one: the card post is an ordinary delivery with its nonce and delivery ref, the
/// edit is idempotent, and the reply carries the row's own delivery id.
/// </summary>
public sealed class CardAlertSink(IAlertSink inner, ICardPlatform? cards, ICardStore store, TimeProvider time, ILogger<CardAlertSink> logger) : IAlertSink
{
    public string Platform => inner.Platform;

    public Task<DeliveryResult> SendReportAsync(string deliveryId, string channelId, AdminReport report, CancellationToken cancellationToken) =>
        inner.SendReportAsync(deliveryId, channelId, report, cancellationToken);

    public async Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (style, mute, card, collecting) = await store.GetDeliveryStateAsync(alert.Platform, alert.ChannelId, alert.Case.Key, now, cancellationToken).ConfigureAwait(false);
        if (mute is not null)
        {
            return DeliveryResult.Withheld($"{(mute.IsChannelWide ? "channel" : "case")} muted in this channel until {mute.Until:yyyy-MM-dd HH:mm} UTC by {mute.SetByName}");
        }

        if (collecting)
        {
            return DeliveryResult.Collected("this channel takes digests: collected for its next digest");
        }

        if (style == CardStyle.Plain || cards is null)
        {
            return await inner.SendAsync(alert, cancellationToken).ConfigureAwait(false);
        }

        if (card is null || card.MessageId is null || card.DeliveryId == alert.DeliveryId)
        {
            // No card yet, or its post never arrived (dead, pruned), or this row is the card's own post being retried.
            return await PostCardAsync(alert, card, cancellationToken).ConfigureAwait(false);
        }

        var view = new CardView(card.CardId, card.DeliveryId, alert, card.Acknowledgement, Mute: null);
        var edit = await cards!.EditCardAsync(alert.ChannelId, card.MessageId, view, cancellationToken).ConfigureAwait(false);
        switch (edit.Outcome)
        {
            case CardEditOutcome.Gone or CardEditOutcome.Refused:
                logger.LogInformation("Card {CardId} of case {CaseId} in {Platform} channel {ChannelId} cannot be edited ({Why}); posting a new card",
                    card.CardId, alert.Case.Id, alert.Platform, alert.ChannelId, edit.Failure?.Error);
                return await PostCardAsync(alert, known: null, cancellationToken).ConfigureAwait(false);
            case CardEditOutcome.Failed:
                return edit.Failure!;
        }

        var reply = await cards.PostReplyAsync(alert.ChannelId, card.MessageId, alert, cancellationToken).ConfigureAwait(false);
        // What the card shows, for rendering it again after a click: after the reply, off the path to the channel. Lost to a
        // crash here, a click shows the card one change behind until the next change (the edit above is what people see).
        await store.SetLastAlertAsync(card.CardId, alert, now, cancellationToken).ConfigureAwait(false);
        return reply;
    }

    /// <param name="known">The card already read for this delivery: when this row started it (the store does so with the row),
    /// no second write is needed before the post.</param>
    private async Task<DeliveryResult> PostCardAsync(AlertMessage alert, CaseCard? known, CancellationToken cancellationToken)
    {
        var card = known is not null && known.DeliveryId == alert.DeliveryId
            ? known
            : await store.StartAsync(alert, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var result = await cards!.PostCardAsync(alert.ChannelId, new CardView(card.CardId, card.DeliveryId, alert, null, null), cancellationToken).ConfigureAwait(false);
        if (result.Outcome == DeliveryOutcome.Sent && result.ExternalId is { } messageId)
        {
            // A crash before this line leaves the id in the outbox row (marked sent by the resend's probe or nonce), where
            // FindAsync reads it from.
            await store.SetMessageAsync(card.CardId, messageId, cancellationToken).ConfigureAwait(false);
        }
        return result;
    }
}
