using System.Net;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Posts an alert as one embed (Create Message) with the same words as every other platform (<see cref="AlertText"/>).
/// Always <c>allowed_mentions: {"parse": []}</c>, and the outbox delivery id as <c>nonce</c> with
/// <c>enforce_nonce: true</c>, so a retry after a lost response returns the first message instead of a duplicate; the
/// footer ends with the delivery ref, so a resend after the nonce window can find the first message (<see cref="DiscordDeliveryProbe"/>).
/// </summary>
public sealed class DiscordAlertSink(DiscordRestClient rest, HealthRegistry health, ILogger<DiscordAlertSink> logger) : IAlertSink
{
    public string Platform => Platforms.Discord;

    public async Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        var request = Render(alert, out var truncated);
        foreach (var part in truncated)
        {
            logger.LogWarning("Discord alert {DeliveryId} for case {CaseId} truncated to fit Discord's limits: {Part}", alert.DeliveryId, alert.Case.Id, part);
        }
        return await PostAsync(alert.ChannelId, request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<DeliveryResult> SendReportAsync(string deliveryId, string channelId, AdminReport report, CancellationToken cancellationToken)
    {
        var embed = new Embed
        {
            Title = DiscordMarkdown.Escape(report.Title),
            Description = DiscordMarkdown.Escape(string.Join('\n', report.Lines)),
            Color = 0xE67E22,
        };
        var request = new CreateMessageRequest
        {
            Embeds = [EmbedLimits.Fit(embed, out _)],
            AllowedMentions = AllowedMentions.None,
            Nonce = Nonce(deliveryId),
            EnforceNonce = true,
        };
        return await PostAsync(channelId, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Create Message, and what each failure means for the outbox (docs/discord.md, "When Discord says no").</summary>
    internal async Task<DeliveryResult> PostAsync(string channelId, CreateMessageRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var message = await rest.CreateMessageAsync(channelId, request, cancellationToken).ConfigureAwait(false);
            return DeliveryResult.Sent(message.Id);
        }
        catch (Exception e) when (Verdict(e, channelId, rest) is { } verdict)
        {
            if (e is DiscordApiException { Status: HttpStatusCode.Unauthorized }) health.Report(DiscordWiring.HealthComponent, healthy: false, e.Message);
            return verdict;
        }
    }

    /// <summary>What a failed Discord request means for the outbox; null for exceptions that are not Discord's answer.</summary>
    internal static DeliveryResult? Verdict(Exception exception, string channelId, DiscordRestClient rest) => exception switch
    {
        DiscordRateLimitedException e => DeliveryResult.RateLimited(e.Message, e.RetryAfter),
        // A 5xx after the client's own retries: the message may or may not exist (the nonce covers the resend).
        DiscordApiException { IsTransient: true } e => DeliveryResult.Failed(e.Message, mayHaveArrived: true),
        DiscordApiException { Status: HttpStatusCode.Unauthorized } e => DeliveryResult.PlatformDown(e.Message),
        DiscordApiException { Code: DiscordApiException.UnknownChannel or DiscordApiException.MissingAccess or DiscordApiException.MissingPermissions } e
            => DeliveryResult.ChannelDown(e.Message),
        // Invalid form body (50035) and every other 4xx: the same request can never succeed.
        DiscordApiException e => DeliveryResult.Rejected($"{e.Message} (Discord channel {channelId})"),
        DiscordClientStoppedException e when rest.Health.TokenRejected => DeliveryResult.PlatformDown(e.Message),
        // Too many invalid requests recently: hold off (not an attempt) rather than risk a temporary ban.
        DiscordClientStoppedException e => DeliveryResult.RateLimited(e.Message, InvalidBudgetWait),
        ArgumentException e => DeliveryResult.Rejected(
            $"'{channelId}' is not a Discord channel id (Developer Mode > right-click the channel > Copy Channel ID): {e.Message}"),
        HttpRequestException or TimeoutException => DeliveryResult.Failed($"Discord unreachable: {exception.Message}", mayHaveArrived: true),
        _ => null,
    };

    /// <summary>The delivery id as a nonce (at most 25 characters; ours are 24).</summary>
    internal static string Nonce(string deliveryId) => deliveryId.Length <= EmbedLimits.Nonce ? deliveryId : deliveryId[..EmbedLimits.Nonce];

    private static readonly TimeSpan InvalidBudgetWait = TimeSpan.FromMinutes(1);

    /// <summary>What marks a message as this delivery in the channel: Discord keeps the nonce for a few minutes only and
    /// does not return it when messages are read back, so <see cref="DiscordDeliveryProbe"/> looks for this instead.</summary>
    public static string DeliveryRef(string deliveryId) => $"ref {deliveryId}";

    /// <summary>The shared footer words plus the delivery ref, last, where a footer cut to fit would never reach it
    /// (footers are short: <see cref="AlertText.Footer"/> is under 200 of Discord's 2,048 characters).</summary>
    public static string Footer(AlertMessage alert) => $"{AlertText.Footer(alert)} · {DeliveryRef(alert.DeliveryId)}";

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
            Footer = new EmbedFooter(Footer(alert)),
        };

        return new CreateMessageRequest
        {
            Embeds = [EmbedLimits.Fit(embed, out truncated)],
            AllowedMentions = AllowedMentions.None,
            Nonce = Nonce(alert.DeliveryId),
            EnforceNonce = true,
        };
    }
}
