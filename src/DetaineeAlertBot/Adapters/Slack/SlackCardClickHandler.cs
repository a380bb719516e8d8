using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// Case card buttons on Slack (block_actions, over Socket Mode or POST /slack/interactions). Slack wants the ack within
/// 3 s and gets it first; then the click goes through the same boundary as commands (our workspace and app, no guests
/// unless allowed, admin from users.info) and <see cref="CardClicks"/>. The card is brought up to date with chat.update
/// for everyone; private answers and refusals go to the clicker through the action's response_url, ephemeral and with
/// replace_original false, so the card is never replaced or deleted by an answer.
/// </summary>
public sealed class SlackCardClickHandler(CardClicks clicks, CaseForms forms, SlackForms slackForms, SlackAccess access, SlackApiClient api,
    ILogger<SlackCardClickHandler> logger)
{
    /// <summary>Handles the payload's card buttons; other payloads and actions (the Source link) need nothing.</summary>
    public async Task HandleAsync(InteractionPayload payload, CancellationToken ct)
    {
        if (payload.Type != InteractionPayload.BlockActions || payload.User is null) return;
        foreach (var item in payload.Actions ?? [])
        {
            if (!CardActions.TryParse(item.ActionId, out var action, out var cardId)) continue;
            try
            {
                await HandleClickAsync(payload, action, cardId, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Slack card button {ActionId} failed for user {UserId}", item.ActionId, payload.User.Id);
                await AnswerAsync(payload, CommandReply.Error("Something went wrong on our side with that button; nothing was changed. Please try again in a minute."), ct).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleClickAsync(InteractionPayload payload, CardAction action, string cardId, CancellationToken ct)
    {
        var caller = await access.CheckAsync(payload.Team?.Id ?? payload.User!.TeamId, payload.ApiAppId, payload.User!.Id, ct).ConfigureAwait(false);
        if (!caller.Allowed)
        {
            logger.LogWarning("Refused a Slack card button from team {TeamId} (user {UserId})", payload.Team?.Id, payload.User.Id);
            await AnswerAsync(payload, CommandReply.Refusal(caller.Refusal!), ct).ConfigureAwait(false);
            return;
        }

        var channel = payload.Channel?.Id ?? payload.Container?.ChannelId ?? "";
        var who = new CommandContext(Platforms.Slack, channel, payload.User.Id, payload.User.Name ?? payload.User.Username, caller.IsAdmin);
        if (action == CardAction.UpdateStatus)
        {
            var opening = await forms.OpenUpdateFromCardAsync(cardId, who, ct).ConfigureAwait(false);
            if (await slackForms.OpenAsync(opening, payload.TriggerId, ct).ConfigureAwait(false) is { } instead) await AnswerAsync(payload, instead, ct).ConfigureAwait(false);
            return;
        }

        var result = await clicks.HandleAsync(new CardClick(action, cardId, who), ct).ConfigureAwait(false);
        if (result.UpdatedCard is { } card && (payload.Message?.Ts ?? payload.Container?.MessageTs) is { } ts)
        {
            var message = SlackCardPlatform.Render(card);
            await api.UpdateMessageAsync(channel, ts, message.Text, message.Blocks, ct).ConfigureAwait(false);
        }
        else if (result.PrivateReply is { } reply)
        {
            await AnswerAsync(payload, reply, ct).ConfigureAwait(false);
        }
    }

    private async Task AnswerAsync(InteractionPayload payload, CommandReply reply, CancellationToken ct)
    {
        if (payload.ResponseUrl is not { } url) return;
        var response = SlackCommandHandler.Render(reply with { Ephemeral = true }, share: false) with { ReplaceOriginal = false };
        await api.RespondAsync(url, response, ct).ConfigureAwait(false);
    }
}
