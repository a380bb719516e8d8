using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>SlackDeliveryProbe finds an alert that an earlier attempt posted: Slack has no idempotency key, so before a
/// row that was claimed before is sent again (a retry after an unknown outcome, or a new leader taking over a row its
/// predecessor was sending), the channel's recent history is read (conversations.history, scope channels:history)
/// for our message metadata (event type detainee_alert) carrying this delivery id.</summary>
public sealed class SlackDeliveryProbe(SlackApiClient api) : IDeliveryProbe
{
    /// <summary>How far before the change to look: the message cannot be older than the change, plus clock skew.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    /// <summary>Enough for a busy channel over the hours an alert can stay in retry.</summary>
    private const int MaxMessages = 1000;

    public string Platform => Platforms.Slack;

    public async Task<string?> FindAsync(AlertMessage alert, DateTimeOffset firstTryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var messages = await api.GetHistoryAsync(alert.ChannelId, (firstTryAt < alert.ObservedAt ? firstTryAt : alert.ObservedAt) - Margin, MaxMessages, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            if (message.Metadata is { EventType: SlackAlertSink.MetadataEventType, EventPayload: { } payload }
                && payload.TryGetValue("delivery_id", out var id)
                && id.ValueKind == System.Text.Json.JsonValueKind.String
                && id.GetString() == alert.DeliveryId)
            {
                return $"{alert.ChannelId}/{message.Ts}";
            }
        }
        return null;
    }
}
