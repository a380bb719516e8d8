using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack;

/// <summary>
/// Posts alerts with chat.postMessage: a header, the status change, a fields section, the source link and a
/// context line, with the same words as every other platform (<see cref="AlertText"/>) and a plain fallback.
/// Feed text is escaped and sent verbatim, so a case named <c>&lt;!channel&gt;</c> or <c>@here</c> pings nobody.
/// </summary>
public sealed class SlackAlertSink(SlackApiClient api, HealthRegistry health, ILogger<SlackAlertSink> logger) : IAlertSink
{
    /// <summary>Message metadata event type, so a later reader of channel history can find our alerts by delivery id.</summary>
    public const string MetadataEventType = "detainee_alert";

    public string Platform => Platforms.Slack;

    public async Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        var message = Render(alert);
        foreach (var cut in message.Truncations)
        {
            logger.LogWarning("Slack alert {DeliveryId} for case {CaseId} truncated: {Truncation}", alert.DeliveryId, alert.Case.Id, cut);
        }

        var request = new ChatPostMessageRequest(alert.ChannelId, message.Text, message.Blocks,
            new MessageMetadata(MetadataEventType, new Dictionary<string, string> { ["delivery_id"] = alert.DeliveryId }))
        {
            UnfurlLinks = false,
            UnfurlMedia = false,
        };

        try
        {
            var posted = await api.PostMessageAsync(request, cancellationToken).ConfigureAwait(false);
            return DeliveryResult.Sent($"{posted.Channel}/{posted.Ts}");
        }
        catch (SlackApiException e)
        {
            switch (e.ErrorClass)
            {
                case SlackErrorClass.Retryable:
                    return DeliveryResult.Retry(e.Message, e.RetryAfter);
                case SlackErrorClass.Configuration:
                    if (e.Error is "invalid_auth" or "not_authed" or "account_inactive" or "token_revoked" or "token_expired" or "missing_scope")
                    {
                        health.Report(SlackWiring.HealthComponent, healthy: false, e.Message);
                    }

                    return DeliveryResult.Rejected($"{e.Message} (Slack channel {alert.ChannelId})");
                default:
                    return DeliveryResult.Rejected(e.Message);
            }
        }
    }

    /// <summary>The alert as Block Kit; every Slack limit is enforced by <see cref="SlackMessageBuilder"/>.</summary>
    public static SlackMessage Render(AlertMessage alert)
    {
        var fields = new List<string>
        {
            Field("Person", alert.Case.Name),
            Field("Status", $"{alert.OldStatus.ToDisplay()} -> {alert.NewStatus.ToDisplay()}"),
        };
        fields.AddRange(AlertText.Facts(alert).Select(f => Field(f.Name, f.Value)));
        if (!string.IsNullOrWhiteSpace(alert.Case.SourceUrl))
        {
            fields.Add($"*Source*\n{SlackText.Link(alert.Case.SourceUrl, alert.Case.Source)}");
        }

        return new SlackMessageBuilder()
            .Header(AlertText.Title(alert))
            .Section($"{Marker(alert.NewStatus)} {SlackText.Escape(AlertText.StatusLine(alert))}")
            .Fields(fields)
            .Context([SlackText.Escape(AlertText.Footer(alert))])
            .Build(AlertText.Fallback(alert));
    }

    private static string Field(string name, string value) => $"*{SlackText.Escape(name)}*\n{SlackText.Escape(value)}";

    // Slack blocks have no colour bar: an emoji carries the meaning colour has on Discord (red, amber, green, grey).
    private static string Marker(CaseStatus status) => status.Tone() switch
    {
        StatusTone.Danger => ":red_circle:",
        StatusTone.Warning => ":large_orange_circle:",
        StatusTone.Good => ":large_green_circle:",
        _ => ":white_circle:",
    };
}
