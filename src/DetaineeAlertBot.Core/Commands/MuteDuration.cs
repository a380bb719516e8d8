using System.Globalization;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>A mute's length as typed: a whole number and a unit, m (minutes), h (hours) or d (days): "30m", "24h", "7d";
/// from 1 minute to 90 days (contract: /watchlist mute).</summary>
public static class MuteDuration
{
    public static readonly TimeSpan Min = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan Max = TimeSpan.FromDays(90);

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        var trimmed = text?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length < 2) return false;
        if (!int.TryParse(trimmed[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount)) return false;
        TimeSpan? parsed = trimmed[^1] switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => null,
        };
        if (parsed is not { } value || value < Min || value > Max) return false;
        duration = value;
        return true;
    }
}
