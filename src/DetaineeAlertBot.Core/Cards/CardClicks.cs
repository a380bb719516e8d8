using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Cards;

/// <summary>A click on a case card's button, after the platform's boundary checks: who clicked, where, and whether they
/// are an admin (the same rules as commands).</summary>
public sealed record CardClick(CardAction Action, string CardId, CommandContext Who);

/// <summary>What a click comes to: a private answer for the clicker, or the card to show from now on (for everyone).</summary>
public sealed record CardClickResult(CommandReply? PrivateReply, CardView? UpdatedCard)
{
    public static CardClickResult Private(CommandReply reply) => new(reply, null);

    public static CardClickResult Updated(CardView card) => new(null, card);
}

/// <summary>
/// CardClicks answers the buttons of a case card (contract: "History answers the clicker privately; Acknowledge is open to
/// everyone in the channel; Mute 24h (admins) mutes that case in that channel"). A button carries only the card's opaque
/// id; the card must be in the channel the click came from, so an id copied elsewhere leads nowhere and says nothing.
/// </summary>
public sealed class CardClicks(ICardStore cards, CaseCommands cases, MuteSummaries summaries, TimeProvider time, ILogger<CardClicks> logger)
{
    /// <summary>How long the card's Mute button mutes a case.</summary>
    public static readonly TimeSpan MuteFor = TimeSpan.FromHours(24);

    public const string AdminRefusal = "Only admins can mute a case in this channel or update its status (ask someone who can change this channel's watchlist).";

    public const string UnknownCard = "This card is no longer in use (a newer card replaced it, or it was removed). Look the person up with /case lookup.";

    public async Task<CardClickResult> HandleAsync(CardClick click, CancellationToken cancellationToken)
    {
        var card = await cards.FindByIdAsync(click.CardId, cancellationToken).ConfigureAwait(false);
        if (card is null || card.Platform != click.Who.Platform || card.ChannelId != click.Who.ChannelId)
        {
            logger.LogInformation("A {Platform} click on card {CardId} in channel {ChannelId} names no card of that channel", click.Who.Platform, click.CardId, click.Who.ChannelId);
            return CardClickResult.Private(CommandReply.Info(null, UnknownCard));
        }

        var now = time.GetUtcNow();
        switch (click.Action)
        {
            case CardAction.History:
                return CardClickResult.Private(await cases.HistoryAsync(card.Case.ToString(), cancellationToken).ConfigureAwait(false));

            case CardAction.Acknowledge:
                var acknowledgement = new CardAcknowledgement(click.Who.UserId, string.IsNullOrWhiteSpace(click.Who.UserName) ? click.Who.UserId : click.Who.UserName, now);
                await cards.SetAcknowledgementAsync(card.CardId, acknowledgement, now, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("{Who} acknowledged card {CardId} of case {Case} in {Platform} channel {ChannelId}", click.Who.Actor, card.CardId, card.Case, card.Platform, card.ChannelId);
                return await UpdatedAsync(card with { Acknowledgement = acknowledgement }, now, cancellationToken).ConfigureAwait(false);

            case CardAction.Unacknowledge:
                if (card.Acknowledgement is { } ack && ack.UserId != click.Who.UserId)
                {
                    return CardClickResult.Private(CommandReply.Info(null, $"Only {ack.UserName}, who acknowledged it, can undo that."));
                }
                await cards.SetAcknowledgementAsync(card.CardId, null, now, cancellationToken).ConfigureAwait(false);
                return await UpdatedAsync(card with { Acknowledgement = null }, now, cancellationToken).ConfigureAwait(false);

            case CardAction.Mute or CardAction.Unmute when !click.Who.IsAdmin:
                return CardClickResult.Private(CommandReply.Refusal(AdminRefusal));

            case CardAction.Mute:
                var name = string.IsNullOrWhiteSpace(click.Who.UserName) ? click.Who.UserId : click.Who.UserName;
                await cards.MuteAsync(new CaseMute(card.Platform, card.ChannelId, card.Case, now + MuteFor, click.Who.UserId, name, now), cancellationToken).ConfigureAwait(false);
                logger.LogInformation("{Who} muted case {Case} in {Platform} channel {ChannelId} for {For}", click.Who.Actor, card.Case, card.Platform, card.ChannelId, MuteFor);
                return await UpdatedAsync(card, now, cancellationToken).ConfigureAwait(false);

            case CardAction.Unmute:
                if (await cards.UnmuteAsync(card.Platform, card.ChannelId, card.Case, now, cancellationToken).ConfigureAwait(false)) summaries.Notify();
                logger.LogInformation("{Who} unmuted case {Case} in {Platform} channel {ChannelId}", click.Who.Actor, card.Case, card.Platform, card.ChannelId);
                return await UpdatedAsync(card, now, cancellationToken).ConfigureAwait(false);

            default:
                // Update status opens a form, which the platforms do themselves (Forms.CaseForms); a click that gets
                // here came from a platform without forms.
                return CardClickResult.Private(click.Who.IsAdmin
                    ? CommandReply.Info(null, "Update status opens a form, which Discord and Slack show.")
                    : CommandReply.Refusal(AdminRefusal));
        }
    }

    private async Task<CardClickResult> UpdatedAsync(CaseCard card, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var mute = await cards.FindMuteAsync(card.Platform, card.ChannelId, card.Case, now, cancellationToken).ConfigureAwait(false);
        return CardClickResult.Updated(new CardView(card.CardId, card.DeliveryId, card.LastAlert, card.Acknowledgement, mute));
    }
}
