using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Cards;

/// <summary>How a channel hears about changes (Watchlists:N:Style, /watchlist style).</summary>
public enum CardStyle
{
    /// <summary>One case card per case, edited in place to the latest status; each change is a reply pointing at it.</summary>
    Card,

    /// <summary>One standalone message per change.</summary>
    Plain,
}

public static class CardStyles
{
    public const string AllowedValues = "card, plain";

    public static bool TryParse(string? text, out CardStyle style)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "card": style = CardStyle.Card; return true;
            case "plain": style = CardStyle.Plain; return true;
            default: style = CardStyle.Card; return false;
        }
    }

    public static string ToWire(this CardStyle style) => style == CardStyle.Plain ? "plain" : "card";
}

/// <summary>CaseCard is the one living message about a case in a channel.</summary>
/// <param name="CardId">A short random id, the only thing a button carries (never case data).</param>
/// <param name="DeliveryId">The outbox row that posts (or posted) the card message; its delivery ref is in the card's
/// footer for good, so a resend after a crash finds the card, never a reply.</param>
/// <param name="MessageId">The platform's message id (Discord message id; Slack "channel/ts"); null until the post is
/// known to have arrived (a crash between the post and this write leaves it to be read from the outbox row).</param>
/// <param name="LastAlert">The change the card shows now (it is rendered again from this after a click).</param>
public sealed record CaseCard(
    string CardId,
    string Platform,
    string ChannelId,
    CaseKey Case,
    string DeliveryId,
    string? MessageId,
    AlertMessage LastAlert,
    CardAcknowledgement? Acknowledgement,
    DateTimeOffset UpdatedAt);

/// <summary>"Acknowledged by Dana 10:12 UTC": who pressed Acknowledge, as the platform names them.</summary>
public sealed record CardAcknowledgement(string UserId, string UserName, DateTimeOffset At);

/// <summary>A case muted in one channel until <see cref="Until"/> (the card's Mute 24h, /watchlist mute). <see cref="AllCases"/>
/// as <see cref="Case"/> mutes every case of the channel.</summary>
public sealed record CaseMute(string Platform, string ChannelId, CaseKey Case, DateTimeOffset Until, string SetById, string SetByName, DateTimeOffset SetAt)
{
    /// <summary>The key of a mute of the whole channel (/watchlist mute query:all).</summary>
    public static readonly CaseKey AllCases = new("*", "*");

    public bool IsChannelWide => Case == AllCases;
}
