using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Case cards on Discord: the card is one embed with a row of buttons (Create Message, nonce = the delivery id), edited
/// in place (Edit Message, same bucket as posting), and each later change is a reply with <c>message_reference</c> to the
/// card. Every post and edit sends <c>allowed_mentions: {"parse": []}</c>: an edit without it would be parsed with
/// Discord's default allowances. The card's footer keeps the delivery ref of its own post for good, so the probe that
/// looks for a reply's ref never mistakes the card for it.
/// </summary>
public sealed class DiscordCardPlatform(DiscordRestClient rest, DiscordAlertSink sink) : ICardPlatform
{
    public string Platform => Platforms.Discord;

    public Task<DeliveryResult> PostCardAsync(string channelId, CardView card, CancellationToken cancellationToken)
    {
        var embed = RenderEmbed(card);
        return sink.PostAsync(channelId, new CreateMessageRequest
        {
            Embeds = [embed],
            Components = Components(card),
            AllowedMentions = AllowedMentions.None,
            Nonce = DiscordAlertSink.Nonce(card.CardDeliveryId),
            EnforceNonce = true,
        }, cancellationToken);
    }

    public async Task<CardEditResult> EditCardAsync(string channelId, string messageId, CardView card, CancellationToken cancellationToken)
    {
        try
        {
            await rest.EditMessageAsync(channelId, messageId, Edit(card), cancellationToken).ConfigureAwait(false);
            return CardEditResult.Edited;
        }
        catch (DiscordApiException e) when (e.Code == DiscordApiException.UnknownMessage)
        {
            return CardEditResult.Gone(e.Message);
        }
        catch (DiscordApiException e) when (e.Code is DiscordApiException.EditLimitOnOldMessages or DiscordApiException.CannotEditOthersMessage)
        {
            return CardEditResult.Refused(e.Message);
        }
        catch (Exception e) when (DiscordAlertSink.Verdict(e, channelId, rest) is { } verdict)
        {
            // An edit changes nothing twice: "may have arrived" is moot, the retry edits again.
            return CardEditResult.Failed(verdict with { MayHaveArrived = false });
        }
    }

    public Task<DeliveryResult> PostReplyAsync(string channelId, string cardMessageId, AlertMessage alert, CancellationToken cancellationToken) =>
        sink.PostAsync(channelId, new CreateMessageRequest
        {
            Embeds = [RenderReply(alert)],
            // A reply whose card was deleted meanwhile still goes out, as a plain message: the change must not be lost.
            MessageReference = MessageReference.ReplyTo(cardMessageId, failIfNotExists: false),
            AllowedMentions = AllowedMentions.None,
            Nonce = DiscordAlertSink.Nonce(alert.DeliveryId),
            EnforceNonce = true,
        }, cancellationToken);

    /// <summary>The edit that brings a card up to date: the whole embed and the buttons again.</summary>
    public static EditMessageRequest Edit(CardView card) => new()
    {
        Embeds = [RenderEmbed(card)],
        Components = Components(card),
        AllowedMentions = AllowedMentions.None,
    };

    public static Embed RenderEmbed(CardView card)
    {
        var alert = card.Alert;
        var lines = new List<string> { CardText.StatusLine(card) };
        if (CardText.AcknowledgementLine(card) is { } ack) lines.Add(ack);
        if (CardText.MuteLine(card) is { } mute) lines.Add(mute);
        var embed = new Embed
        {
            Title = DiscordMarkdown.Escape(CardText.Title(card)),
            Url = DiscordMarkdown.SafeUrl(alert.Case.SourceUrl),
            Description = DiscordMarkdown.Escape(string.Join('\n', lines)),
            Color = AlertText.Color(alert.NewStatus),
            Timestamp = alert.ObservedAt,
            Fields = [.. CardText.Facts(card).Select(f => new EmbedField(f.Name, DiscordMarkdown.Escape(f.Value), true))],
            Footer = new EmbedFooter($"{CardText.Footer(card)} · {DiscordAlertSink.DeliveryRef(card.CardDeliveryId)}"),
        };
        return EmbedLimits.Fit(embed, out _);
    }

    public static IReadOnlyList<MessageComponent> Components(CardView card)
    {
        var buttons = CardText.Buttons(card)
            .Select(b => MessageComponent.Button(b.Action == CardAction.UpdateStatus ? ButtonStyle.Primary : ButtonStyle.Secondary, b.Label, b.CustomId))
            .ToList();
        if (DiscordMarkdown.SafeUrl(card.Alert.Case.SourceUrl) is { } url && url.Length <= ComponentLimits.LinkUrl)
        {
            buttons.Add(MessageComponent.LinkButton(CardText.SourceLabel, url));
        }
        return [MessageComponent.ActionRow(buttons)];
    }

    public static Embed RenderReply(AlertMessage alert) => EmbedLimits.Fit(new Embed
    {
        Description = DiscordMarkdown.Escape(CardText.Reply(alert)),
        Color = AlertText.Color(alert.NewStatus),
        Timestamp = alert.ObservedAt,
        Footer = new EmbedFooter($"case {alert.Case.Id} · {DiscordAlertSink.DeliveryRef(alert.DeliveryId)}"),
    }, out _);
}
