using System.Globalization;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Cards;

/// <summary>The platform-neutral words of a case card and of the replies under it (product.md, "What a case card looks
/// like"). Plain text: the platforms escape it for their markup. Case fields come from feeds and are untrusted.</summary>
public static class CardText
{
    /// <summary>"Amir Amiry — Released".</summary>
    public static string Title(CardView card) => AlertText.Title(card.Alert);

    /// <summary>"Released since 2026-11-22 · changed 2026-11-22 10:04 UTC · previously Detained (since 2024-12-01, about 2 years)".</summary>
    public static string StatusLine(CardView card)
    {
        var alert = card.Alert;
        var since = alert.Case.StatusSince ?? DateOnly.FromDateTime(alert.ObservedAt.UtcDateTime);
        if (alert.IsNewCase) return $"{AlertText.NewCase(alert)} · {alert.NewStatus.ToDisplay()} since {Date(since)} · first seen {When(alert.ObservedAt)}";
        var previously = $"previously {alert.OldStatus.ToDisplay()}";
        if (alert.OldStatusSince is { } oldSince)
        {
            var lasted = AlertText.Duration(oldSince, since);
            previously += lasted is null ? $" (since {Date(oldSince)})" : $" (since {Date(oldSince)}, {lasted})";
        }
        return $"{alert.NewStatus.ToDisplay()} since {Date(since)} · changed {When(alert.ObservedAt)} · {previously}";
    }

    /// <summary>The facts shown as fields: where, by whom, whose national (the dates are in <see cref="StatusLine"/>).</summary>
    public static IReadOnlyList<(string Name, string Value)> Facts(CardView card) =>
        AlertText.Facts(card.Alert).Where(f => !f.Name.EndsWith(" since", StringComparison.Ordinal)).ToArray();

    /// <summary>"Acknowledged by Dana (desk) 2026-11-22 10:12 UTC", or null.</summary>
    public static string? AcknowledgementLine(CardView card) =>
        card.Acknowledgement is { } ack ? $"Acknowledged by {ack.UserName} {When(ack.At)}" : null;

    /// <summary>"Muted in this channel until 2026-11-23 10:12 UTC (by Dana)", or null.</summary>
    public static string? MuteLine(CardView card) =>
        card.Mute is { } mute ? $"Muted in this channel until {When(mute.Until)} (by {mute.SetByName})" : null;

    /// <summary>"case af-2024-0012 · source state-dept-feed · updated 2026-11-22 10:04 UTC".</summary>
    public static string Footer(CardView card) =>
        $"case {card.Alert.Case.Id} · source {card.Alert.Case.Source} · updated {When(card.Alert.ObservedAt)}";

    /// <summary>The reply under the card: "Amir Amiry: Detained → Released (Afghanistan) · source state-dept-feed".</summary>
    public static string Reply(AlertMessage alert) =>
        alert.Flap is not null
            ? $"{alert.Case.Name}: {AlertText.FlapLine(alert)} · source {alert.Case.Source}"
            : $"{alert.Case.Name}: {alert.OldStatus.ToDisplay()} → {alert.NewStatus.ToDisplay()}"
        + (alert.Case.Country is { } country ? $" ({country})" : "")
        + $" · source {alert.Case.Source}";

    /// <summary>The card's buttons, in order: History, Acknowledge (or Undo), Mute 24h (or Unmute), Update status. The
    /// Source link button is the platform's (it needs a safe URL).</summary>
    public static IReadOnlyList<CardButton> Buttons(CardView card) =>
    [
        new(CardAction.History, "History", CardActions.CustomId(CardAction.History, card.CardId)),
        card.Acknowledgement is null
            ? new(CardAction.Acknowledge, "Acknowledge", CardActions.CustomId(CardAction.Acknowledge, card.CardId))
            : new(CardAction.Unacknowledge, "Undo acknowledge", CardActions.CustomId(CardAction.Unacknowledge, card.CardId)),
        card.Mute is null
            ? new(CardAction.Mute, "Mute 24h", CardActions.CustomId(CardAction.Mute, card.CardId))
            : new(CardAction.Unmute, "Unmute", CardActions.CustomId(CardAction.Unmute, card.CardId)),
        new(CardAction.UpdateStatus, "Update status", CardActions.CustomId(CardAction.UpdateStatus, card.CardId)),
    ];

    public const string SourceLabel = "Source";

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}

/// <summary>What a card button does.</summary>
public enum CardAction
{
    History,
    Acknowledge,
    Unacknowledge,
    Mute,
    Unmute,
    UpdateStatus,
}

/// <summary>One button: its label and the id the platform hands back on a click ("card:a:&lt;card id&gt;").</summary>
public sealed record CardButton(CardAction Action, string Label, string CustomId);

/// <summary>The button ids: an action letter and the card's opaque id, nothing about the case.</summary>
public static class CardActions
{
    private const string Prefix = "card:";

    public static string CustomId(CardAction action, string cardId) => $"{Prefix}{Letter(action)}:{cardId}";

    /// <summary>Reads a button id; false for ids that are not ours (or malformed).</summary>
    public static bool TryParse(string? customId, out CardAction action, out string cardId)
    {
        action = default;
        cardId = "";
        if (customId is null || !customId.StartsWith(Prefix, StringComparison.Ordinal) || customId.Length < Prefix.Length + 3 || customId[Prefix.Length + 1] != ':')
        {
            return false;
        }
        cardId = customId[(Prefix.Length + 2)..];
        if (cardId.Length is 0 or > 40 || !cardId.All(char.IsAsciiLetterOrDigit)) return false;
        switch (customId[Prefix.Length])
        {
            case 'h': action = CardAction.History; return true;
            case 'a': action = CardAction.Acknowledge; return true;
            case 'x': action = CardAction.Unacknowledge; return true;
            case 'm': action = CardAction.Mute; return true;
            case 'u': action = CardAction.Unmute; return true;
            case 's': action = CardAction.UpdateStatus; return true;
            default: return false;
        }
    }

    private static char Letter(CardAction action) => action switch
    {
        CardAction.History => 'h',
        CardAction.Acknowledge => 'a',
        CardAction.Unacknowledge => 'x',
        CardAction.Mute => 'm',
        CardAction.Unmute => 'u',
        _ => 's',
    };
}
