using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// Case cards on Slack: the card is a message with the alert's blocks and an actions block (chat.postMessage, with the
/// card's delivery id in its metadata), brought up to date with chat.update (always blocks and text together: a
/// text-only update wipes the blocks; paced by the client as Tier 3), and each later change is a thread reply under it
/// with <c>reply_broadcast: true</c>, paced with the channel's other posts. Slack's external ids are "channel/ts".
/// </summary>
public sealed class SlackCardPlatform(SlackApiClient api, SlackAlertSink sink) : ICardPlatform
{
    public string Platform => Platforms.Slack;

    public Task<DeliveryResult> PostCardAsync(string channelId, CardView card, CancellationToken cancellationToken)
    {
        var message = Render(card);
        return sink.PostAsync(new ChatPostMessageRequest(channelId, message.Text, message.Blocks, SlackAlertSink.Metadata(card.CardDeliveryId))
        {
            UnfurlLinks = false,
            UnfurlMedia = false,
        }, cancellationToken);
    }

    public async Task<CardEditResult> EditCardAsync(string channelId, string messageId, CardView card, CancellationToken cancellationToken)
    {
        var message = Render(card);
        try
        {
            await api.UpdateMessageAsync(channelId, Ts(messageId), message.Text, message.Blocks, cancellationToken).ConfigureAwait(false);
            return CardEditResult.Edited;
        }
        catch (SlackApiException e) when (e.Error == "message_not_found")
        {
            return CardEditResult.Gone(e.Message);
        }
        catch (SlackApiException e) when (e.Error is "cant_update_message" or "edit_window_closed")
        {
            return CardEditResult.Refused(e.Message);
        }
        catch (Exception e) when (SlackAlertSink.Verdict(e, channelId) is { } verdict)
        {
            // An edit changes nothing twice: the retry edits again.
            return CardEditResult.Failed(verdict with { MayHaveArrived = false });
        }
    }

    public async Task<DeliveryResult> PostReplyAsync(string channelId, string cardMessageId, AlertMessage alert, CancellationToken cancellationToken)
    {
        var result = await PostThreadReplyAsync(channelId, cardMessageId, alert, cancellationToken).ConfigureAwait(false);
        // The card went between its edit and this reply (deleted by hand): fail this try, not the alert. The retry's edit
        // then finds the card gone (message_not_found) and posts a new one.
        return result.Outcome == DeliveryOutcome.Rejected && result.Error is { } error && (error.Contains("invalid_thread_ts", StringComparison.Ordinal)
            || error.Contains("thread_not_found", StringComparison.Ordinal))
            ? DeliveryResult.Failed($"the card of this reply is gone: {error}", mayHaveArrived: false)
            : result;
    }

    private Task<DeliveryResult> PostThreadReplyAsync(string channelId, string cardMessageId, AlertMessage alert, CancellationToken cancellationToken)
    {
        var text = CardText.Reply(alert);
        var message = new SlackMessageBuilder()
            .Section($"{SlackAlertSink.Marker(alert.NewStatus)} {SlackText.Escape(text)}")
            .Build(text);
        return sink.PostAsync(new ChatPostMessageRequest(channelId, message.Text, message.Blocks, SlackAlertSink.Metadata(alert.DeliveryId))
        {
            ThreadTs = Ts(cardMessageId),
            ReplyBroadcast = true,
            UnfurlLinks = false,
            UnfurlMedia = false,
        }, cancellationToken);
    }

    /// <summary>The card as Block Kit: the alert's layout with the card's status line, then the buttons.</summary>
    public static SlackMessage Render(CardView card)
    {
        var alert = card.Alert;
        var lines = new List<string> { $"{SlackAlertSink.Marker(alert.NewStatus)} {SlackText.Escape(CardText.StatusLine(card))}" };
        if (CardText.AcknowledgementLine(card) is { } ack) lines.Add(SlackText.Escape(ack));
        if (CardText.MuteLine(card) is { } mute) lines.Add(SlackText.Escape(mute));
        var fields = CardText.Facts(card).Select(f => SlackAlertSink.Field(f.Name, f.Value)).ToList();
        if (!string.IsNullOrWhiteSpace(alert.Case.SourceUrl)) fields.Add($"*Source*\n{SlackText.Link(alert.Case.SourceUrl, alert.Case.Source)}");

        var buttons = CardText.Buttons(card)
            .Select(b => new SlackButton(b.Label, b.CustomId, Value: b.CustomId, Style: b.Action == CardAction.UpdateStatus ? "primary" : null))
            .ToList();
        if (LinkTarget(alert.Case.SourceUrl) is { } url) buttons.Add(new SlackButton(CardText.SourceLabel, "card:link", Url: url));

        var builder = new SlackMessageBuilder()
            .Header(CardText.Title(card))
            .Section(string.Join('\n', lines));
        if (fields.Count > 0) builder.Fields(fields);
        return builder
            .Context([SlackText.Escape(CardText.Footer(card))])
            .Actions(buttons)
            .Build($"{CardText.Title(card)}: {CardText.StatusLine(card)}");
    }

    /// <summary>An absolute http(s) URL a link button may open (at most 3,000 characters), or null: we never link
    /// anything we cannot vouch for.</summary>
    private static string? LinkTarget(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.AbsoluteUri.Length <= 3000 ? uri.AbsoluteUri : null;

    /// <summary>The ts of a Slack external id ("channel/ts", or a bare ts).</summary>
    public static string Ts(string messageId) => messageId[(messageId.LastIndexOf('/') + 1)..];
}
