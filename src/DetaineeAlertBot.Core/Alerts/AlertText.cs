using System.Globalization;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertText holds the platform-neutral wording of an alert (product.md, "What an alert looks like"), so
/// Discord, Slack and the console say the same thing. Everything returned is plain text: sinks escape it for
/// their markup. Case fields come from feeds and are untrusted.</summary>
public static class AlertText
{
    /// <summary>"Amir Amiry — Released".</summary>
    public static string Title(AlertMessage alert) => $"{alert.Case.Name} — {alert.NewStatus.ToDisplay()}";

    /// <summary>"Status changed: Detained -> Released"; for a case a rule picked up, "New case: Amir Amiry, Detained in Iran";
    /// for a flapping case its notice or "settled" line (<see cref="FlapLine"/>).</summary>
    public static string StatusLine(AlertMessage alert) => alert switch
    {
        { Flap: not null } => FlapLine(alert),
        { IsNewCase: true } => NewCase(alert),
        _ => $"Status changed: {alert.OldStatus.ToDisplay()} -> {alert.NewStatus.ToDisplay()}",
    };

    /// <summary>"Status changing repeatedly: Detained ⇄ Released (4 changes since 10:02 UTC); further changes are recorded, not
    /// posted, until it settles" or "Settled on Released after 7 changes since 10:02 UTC" (contract: flapping).</summary>
    public static string FlapLine(AlertMessage alert)
    {
        var flap = alert.Flap ?? throw new ArgumentException("Not a flapping alert.", nameof(alert));
        var since = flap.Since.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
        return flap.Settled
            ? $"Settled on {alert.NewStatus.ToDisplay()} after {flap.Changes} changes since {since}"
            : $"Status changing repeatedly: {string.Join(" ⇄ ", flap.Statuses.Select(s => s.ToDisplay()))} ({flap.Changes} changes since {since}); "
              + "further changes are recorded, not posted, until it settles";
    }

    /// <summary>"New case: Amir Amiry, Detained in Iran" (contract: rules and new cases).</summary>
    public static string NewCase(AlertMessage alert) =>
        $"New case: {alert.Case.Name}, {alert.NewStatus.ToDisplay()}" + (alert.Case.Country is { } country ? $" in {country}" : "");

    /// <summary>"Amir Amiry: detained -> released (Afghanistan)": the notification / fallback text.</summary>
    public static string Fallback(AlertMessage alert) => alert switch
    {
        { Flap: not null } => $"{alert.Case.Name}: {FlapLine(alert)}",
        { IsNewCase: true } => NewCase(alert),
        _ => $"{alert.Case.Name}: {alert.OldStatus.ToWire()} -> {alert.NewStatus.ToWire()}" + (alert.Case.Country is { } country ? $" ({country})" : ""),
    };

    /// <summary>The label for the "since" fact, which reads differently per status: "Detained since", "Released since".</summary>
    public static string SinceLabel(AlertMessage alert) => $"{alert.NewStatus.ToDisplay()} since";

    /// <summary>"2024-12-01 (about 11 months)" relative to when the change was observed; null without a date.</summary>
    public static string? Since(DateOnly? since, DateTimeOffset now)
    {
        if (since is not { } date) return null;
        var text = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var duration = Duration(date, DateOnly.FromDateTime(now.UtcDateTime));
        return duration is null ? text : $"{text} ({duration})";
    }

    /// <summary>"case af-2024-0012 · source state-dept-feed · observed 2026-11-22 10:04 UTC".</summary>
    public static string Footer(AlertMessage alert) =>
        $"case {alert.Case.Id} · source {alert.Case.Source} · observed {alert.ObservedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";

    /// <summary>The facts shown as fields, in order, skipping empty ones.</summary>
    public static IReadOnlyList<(string Name, string Value)> Facts(AlertMessage alert)
    {
        var facts = new List<(string, string)>(6);
        Add(facts, "Country", alert.Case.Country);
        Add(facts, "Held by", alert.Case.HeldBy);
        Add(facts, "Nationality", alert.Case.Nationality);
        if (alert.OldStatusSince is { } oldSince)
        {
            // How long the old status lasted is the news in a change ("Detained since 2024-12-01 (about 11 months)").
            Add(facts, $"{alert.OldStatus.ToDisplay()} since", Since(oldSince, alert.ObservedAt));
        }
        Add(facts, SinceLabel(alert), alert.Case.StatusSince is { } since && since != alert.OldStatusSince ? Since(since, alert.ObservedAt) : null);
        Add(facts, "Location", alert.Case.Location);
        return facts;
    }

    /// <summary>RGB colour by meaning: red, amber, green, grey (product.md).</summary>
    public static int Color(CaseStatus status) => status.Tone() switch
    {
        StatusTone.Danger => 0xD93025,
        StatusTone.Warning => 0xF29900,
        StatusTone.Good => 0x188038,
        _ => 0x80868B,
    };

    /// <summary>The whole alert as plain lines (console sink, logs).</summary>
    public static string PlainText(AlertMessage alert)
    {
        var lines = new List<string> { Title(alert), StatusLine(alert) };
        lines.AddRange(Facts(alert).Select(f => $"{f.Name}: {f.Value}"));
        if (alert.Case.SourceUrl is { } url) lines.Add($"Source: {url}");
        lines.Add(Footer(alert));
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>"about 11 months", "3 days", "about 2 years"; null for future dates.</summary>
    public static string? Duration(DateOnly from, DateOnly to)
    {
        var days = to.DayNumber - from.DayNumber;
        if (days < 0) return null;
        if (days == 0) return "today";
        if (days < 45) return days == 1 ? "1 day" : $"{days} days";
        var months = (int)Math.Round(days / 30.44);
        if (months < 12) return $"about {months} months";
        var years = Math.Round(days / 365.25, 1);
        return years < 2 ? (months == 12 ? "about 1 year" : $"about {months} months") : $"about {Math.Round(years):0} years";
    }

    private static void Add(List<(string, string)> facts, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) facts.Add((name, value));
    }
}
