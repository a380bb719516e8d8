using System.Globalization;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>Small shared wording for cases in replies.</summary>
public static class CaseFormat
{
    /// <summary>"Amir Amiry (Released, Afghanistan)".</summary>
    public static string NameWithStatus(CaseRecord record) =>
        $"{record.Name} ({record.Status.ToDisplay()}{(record.Country is { } c ? $", {c}" : "")})";

    /// <summary>"Amir Amiry — Released, Afghanistan".</summary>
    public static string ShortLabel(CaseRecord record) =>
        $"{record.Name} — {record.Status.ToDisplay()}{(record.Country is { } c ? $", {c}" : "")}";

    /// <summary>"case af-2024-0012 (source state-dept-feed)".</summary>
    public static string Reference(CaseRecord record) => $"case {record.Id} (source {record.Source})";

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DateTime(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";

    public static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
