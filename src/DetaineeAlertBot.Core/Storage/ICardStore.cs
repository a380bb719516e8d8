using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>ICardStore keeps each channel's style, its case cards and its mutes. A card's message id comes from the
/// outbox row that posted it, so a crash between "posted" and "stored" is resolved from the outbox, never by a second post.</summary>
public interface ICardStore
{
    /// <summary>The channel's style; <see cref="CardStyle.Card"/> when never set.</summary>
    Task<CardStyle> GetStyleAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>The channel's style as stored, with who set it and when; null when never set (then it is card).</summary>
    Task<ChannelStyle?> GetStyleSettingAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>The mutes of the channel still running at <paramref name="at"/>, soonest end first.</summary>
    Task<IReadOnlyList<CaseMute>> ListMutesAsync(string platform, string channelId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sets the channel's style (an admin's /watchlist style).</summary>
    Task SetStyleAsync(string platform, string channelId, CardStyle style, string setBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sets the style of channels that have none stored yet (Watchlists:N:Style seeds; an admin's choice stays).
    /// Returns how many were set.</summary>
    Task<int> SeedStylesAsync(IReadOnlyList<(string Platform, string ChannelId, CardStyle Style)> styles, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>What a delivery to this channel needs, in one round trip: the channel's style, a mute of the case running at
    /// <paramref name="at"/>, whether the channel collects changes for a digest (<see cref="IDigestStore"/>), and the case's
    /// card there (see <see cref="FindAsync"/>).</summary>
    Task<CardDeliveryState> GetDeliveryStateAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The card of this case in this channel, or null. A card whose message id is not known yet gets it from the
    /// outbox row that posted it, when that row is stored sent.</summary>
    Task<CaseCard?> FindAsync(string platform, string channelId, CaseKey caseKey, CancellationToken cancellationToken);

    /// <summary>A card by its id (a button's reference); null when unknown.</summary>
    Task<CaseCard?> FindByIdAsync(string cardId, CancellationToken cancellationToken);

    /// <summary>Starts a new card for (channel, case), posted by <paramref name="alert"/>'s delivery: replaces a card whose
    /// message is gone. If this delivery already started the card (a retry), returns that card unchanged.</summary>
    Task<CaseCard> StartAsync(AlertMessage alert, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records the posted card's message id.</summary>
    Task SetMessageAsync(string cardId, string messageId, CancellationToken cancellationToken);

    /// <summary>Records that the card now shows <paramref name="alert"/>.</summary>
    Task SetLastAlertAsync(string cardId, AlertMessage alert, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sets or clears (null) the card's acknowledgement.</summary>
    Task SetAcknowledgementAsync(string cardId, CardAcknowledgement? acknowledgement, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The card whose message this was no longer has one (deleted by hand): the next change posts a new card.
    /// Returns how many cards were affected.</summary>
    Task<int> ForgetMessageAsync(string platform, string channelId, string messageId, CancellationToken cancellationToken);

    /// <summary>Mutes a case in a channel until <see cref="CaseMute.Until"/> (replacing an earlier mute of it).</summary>
    Task MuteAsync(CaseMute mute, CancellationToken cancellationToken);

    /// <summary>Mutes that have ended (expired or unmuted) by <paramref name="at"/> and whose summary is not queued yet.</summary>
    Task<IReadOnlyList<CaseMute>> ListEndedUnsummarizedAsync(DateTimeOffset at, int max, CancellationToken cancellationToken);

    /// <summary>Records that this ended mute's summary was queued (or that it had nothing to summarize).</summary>
    Task MarkSummarizedAsync(CaseMute mute, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Ends the mute of a case in a channel (<see cref="CaseMute.AllCases"/>: every mute of the channel) at
    /// <paramref name="at"/>; true when one was still running. Its summary follows (<see cref="ListEndedUnsummarizedAsync"/>).</summary>
    Task<bool> UnmuteAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The mute of this case (or of the whole channel) still running at <paramref name="at"/>, or null.</summary>
    Task<CaseMute?> FindMuteAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>A channel's style, a running mute of the case there, whether it takes digests, and the case's card there.</summary>
public sealed record CardDeliveryState(CardStyle Style, CaseMute? Mute, CaseCard? Card, bool Collecting = false);

/// <summary>A channel's stored style: which, who set it ("config" for Watchlists:N:Style), when.</summary>
public sealed record ChannelStyle(CardStyle Style, string SetBy, DateTimeOffset SetAt);
