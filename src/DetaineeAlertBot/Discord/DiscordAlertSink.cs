using System.Net;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Discord;

/// <summary>
/// Posts an alert as one embed (Create Message) with the same words as every other platform (<see cref="AlertText"/>).
/// Always <c>allowed_mentions: {"parse": []}</c>, and the outbox delivery id as <c>nonce</c> with
/// <c>enforce_nonce: true</c>, so a retry after a lost response returns the first message instead of a duplicate.
/// </summary>
public sealed class DiscordAlertSink(DiscordRestClient rest, HealthRegistry health, ILogger<DiscordAlertSink> logger) : IAlertSink
{
    /// <summary>How long alerts wait when the bot token was rejected: until an operator fixes it and restarts.</summary>
    private static readonly TimeSpan StoppedRetryAfter = TimeSpan.FromMinutes(5);

    public string Platform => Platforms.Discord;

    public async Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        var request = Render(alert, out var truncated);
        foreach (var part in truncated)
        {
            logger.LogWarning("Discord alert {DeliveryId} for case {CaseId} truncated to fit Discord's limits: {Part}", alert.DeliveryId, alert.Case.Id, part);
        }

        try
        {
            var message = await rest.CreateMessageAsync(alert.ChannelId, request, cancellationToken).ConfigureAwait(false);
            return DeliveryResult.Sent(message.Id);
        }
        catch (DiscordRateLimitedException e)
        {
            return DeliveryResult.Retry(e.Message, e.RetryAfter);
        }
        catch (DiscordApiException e) when (e.IsTransient)
        {
            return DeliveryResult.Retry(e.Message);
        }
        catch (DiscordApiException e) when (e.Status == HttpStatusCode.Unauthorized)
        {
            health.Report(DiscordWiring.HealthComponent, healthy: false, e.Message);
            return DeliveryResult.Retry(e.Message, StoppedRetryAfter);
        }
        catch (DiscordApiException e)
        {
            // Unknown channel, missing access or permissions, invalid body: the same request can never succeed.
            return DeliveryResult.Rejected($"{e.Message} (Discord channel {alert.ChannelId})");
        }
        catch (DiscordClientStoppedException e)
        {
            return DeliveryResult.Retry(e.Message, StoppedRetryAfter);
        }
        catch (ArgumentException e)
        {
            return DeliveryResult.Rejected($"'{alert.ChannelId}' is not a Discord channel id (Developer Mode > right-click the channel > Copy Channel ID): {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException)
        {
            return DeliveryResult.Retry($"Discord unreachable: {e.Message}");
        }
    }

    /// <summary>The alert as a Create Message body; <paramref name="truncated"/> names any part cut to fit.</summary>
    public static CreateMessageRequest Render(AlertMessage alert, out IReadOnlyList<string> truncated)
    {
        var fields = new List<EmbedField>
        {
            new("Person", DiscordMarkdown.Escape(alert.Case.Name), true),
            new("Status", DiscordMarkdown.Escape($"{alert.OldStatus.ToDisplay()} -> {alert.NewStatus.ToDisplay()}"), true),
        };
        fields.AddRange(AlertText.Facts(alert).Select(f => new EmbedField(f.Name, DiscordMarkdown.Escape(f.Value), true)));
        if (DiscordMarkdown.Link(alert.Case.Source, alert.Case.SourceUrl) is { } link)
        {
            fields.Add(new EmbedField("Source", link, false));
        }

        var embed = new Embed
        {
            // Titles, descriptions, field names and values render markdown (escaped); footers are plain text.
            Title = DiscordMarkdown.Escape(AlertText.Title(alert)),
            Url = DiscordMarkdown.SafeUrl(alert.Case.SourceUrl),
            Description = DiscordMarkdown.Escape(AlertText.StatusLine(alert)),
            Color = AlertText.Color(alert.NewStatus),
            Timestamp = alert.ObservedAt,
            Fields = fields,
            Footer = new EmbedFooter(AlertText.Footer(alert)),
        };

        return new CreateMessageRequest
        {
            Embeds = [EmbedLimits.Fit(embed, out truncated)],
            AllowedMentions = AllowedMentions.None,
            Nonce = alert.DeliveryId.Length <= EmbedLimits.Nonce ? alert.DeliveryId : alert.DeliveryId[..EmbedLimits.Nonce],
            EnforceNonce = true,
        };
    }
}
