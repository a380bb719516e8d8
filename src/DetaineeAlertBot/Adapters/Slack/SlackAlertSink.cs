using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

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
            Metadata(alert.DeliveryId))
        {
            UnfurlLinks = false,
            UnfurlMedia = false,
        };
        return await PostAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeliveryResult> SendReportAsync(string deliveryId, string channelId, AdminReport report, CancellationToken cancellationToken)
    {
        var message = new SlackMessageBuilder()
            .Header(report.Title)
            .Section(SlackText.Escape(string.Join('\n', report.Lines)))
            .Build(report.ToPlainText());
        var request = new ChatPostMessageRequest(channelId, message.Text, message.Blocks,
            Metadata(deliveryId))
        {
            UnfurlLinks = false,
            UnfurlMedia = false,
        };
        return await PostAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Errors that stop every post of this token, whatever the channel: pause Slack, probe with auth.test.</summary>
    internal static bool IsPlatformWide(string error) => error is "invalid_auth" or "not_authed" or "account_inactive" or "token_revoked"
        or "token_expired" or "missing_scope" or "not_allowed_token_type" or "invalid_token" or "team_access_not_granted" or "ekm_access_denied";

    /// <summary>Errors of one channel: pause it and retry slowly.</summary>
    internal static bool IsChannelLevel(string error) => error is "channel_not_found" or "not_in_channel" or "is_archived" or "restricted_action";

    /// <summary>chat.postMessage, and what each failure means for the outbox (docs/slack.md).</summary>
    internal async Task<DeliveryResult> PostAsync(ChatPostMessageRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var posted = await api.PostMessageAsync(request, cancellationToken).ConfigureAwait(false);
            return DeliveryResult.Sent($"{posted.Channel}/{posted.Ts}");
        }
        catch (Exception e) when (Verdict(e, request.Channel) is { } verdict)
        {
            if (e is SlackApiException platform && IsPlatformWide(platform.Error)) health.Report(SlackWiring.HealthComponent, healthy: false, platform.Message);
            return verdict;
        }
    }

    /// <summary>What a failed Slack call means for the outbox; null for exceptions that are not Slack's answer.</summary>
    internal static DeliveryResult? Verdict(Exception exception, string channel) => exception switch
    {
        // Rate limits and pacing say "later"; a 5xx or internal_error may have posted (the history check covers it).
        SlackApiException { ErrorClass: SlackErrorClass.Retryable } e => e.RetryAfter is not null || e.Error is "ratelimited" or "rate_limited" or "message_limit_exceeded"
            ? DeliveryResult.RateLimited(e.Message, e.RetryAfter)
            : DeliveryResult.Failed(e.Message, mayHaveArrived: true),
        SlackApiException e when IsPlatformWide(e.Error) => DeliveryResult.PlatformDown(e.Message),
        SlackApiException e when IsChannelLevel(e.Error) => DeliveryResult.ChannelDown($"{e.Message} (Slack channel {channel})"),
        // invalid_blocks and the like: this message can never be posted.
        SlackApiException e => DeliveryResult.Rejected($"{e.Message} (Slack channel {channel})"),
        HttpRequestException or TimeoutException => DeliveryResult.Failed($"Slack unreachable: {exception.Message}", mayHaveArrived: true),
        _ => null,
    };

    /// <summary>The metadata that marks a message as this delivery in the channel's history.</summary>
    internal static MessageMetadata Metadata(string deliveryId) =>
        new(MetadataEventType, new Dictionary<string, string> { ["delivery_id"] = deliveryId });

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

    internal static string Field(string name, string value) => $"*{SlackText.Escape(name)}*\n{SlackText.Escape(value)}";

    // Slack blocks have no colour bar: an emoji carries the meaning colour has on Discord (red, amber, green, grey).
    internal static string Marker(CaseStatus status) => status.Tone() switch
    {
        StatusTone.Danger => ":red_circle:",
        StatusTone.Warning => ":large_orange_circle:",
        StatusTone.Good => ":large_green_circle:",
        _ => ":white_circle:",
    };
}
