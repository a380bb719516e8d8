using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Finds an alert that an earlier attempt posted, once Discord's nonce can no longer do it. Within
/// <see cref="NonceWindow"/> of the first attempt a resend carries the same nonce with <c>enforce_nonce</c>, and Discord
/// returns the first message instead of creating another, so nothing is read. After that (a long backoff, a channel
/// pause, a leader that died holding the row) the channel's recent messages are read back (Get Channel Messages, which
/// needs Read Message History) for one of ours whose embed footer carries the delivery ref.
/// </summary>
public sealed class DiscordDeliveryProbe(DiscordRestClient rest) : IDeliveryProbe
{
    /// <summary>Discord de-duplicates a nonce "in the past few minutes"; two minutes stays well inside that. Reading the
    /// channel when the nonce would still have worked costs one request; trusting an expired nonce costs a duplicate.</summary>
    public static readonly TimeSpan NonceWindow = TimeSpan.FromMinutes(2);

    /// <summary>How far before the change and the first attempt to read: the message cannot be older, plus clock skew.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    /// <summary>Ten pages of 100: a busy channel over the hours an alert can wait, and a bound on the requests.</summary>
    private const int PageSize = 100;
    private const int MaxPages = 10;

    private string? _botUserId;

    public string Platform => Platforms.Discord;

    public async Task<string?> FindAsync(AlertMessage alert, DateTimeOffset firstTryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (now - firstTryAt < NonceWindow)
        {
            return null;
        }

        _botUserId ??= (await rest.GetCurrentUserAsync(cancellationToken).ConfigureAwait(false)).Id;
        var reference = DiscordAlertSink.DeliveryRef(alert.DeliveryId);
        var oldest = (firstTryAt < alert.ObservedAt ? firstTryAt : alert.ObservedAt) - Margin;
        string? before = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var messages = await rest.GetChannelMessagesAsync(alert.ChannelId, before, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var message in messages)
            {
                if (message.Author?.Id == _botUserId && CarriesReference(message, reference))
                {
                    return message.Id;
                }
            }

            // Newest first: stop at the end of the channel or once a page reaches back before the first attempt.
            if (messages.Count < PageSize || messages[^1].Timestamp is { } last && last < oldest)
            {
                return null;
            }

            before = messages[^1].Id;
        }

        return null;
    }

    private static bool CarriesReference(DiscordMessage message, string reference) =>
        message.Embeds?.Any(e => e.Footer?.Text is { } text && text.EndsWith(reference, StringComparison.Ordinal)) == true;
}
