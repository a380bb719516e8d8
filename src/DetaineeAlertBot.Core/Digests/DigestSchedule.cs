using System.Globalization;
using NodaTime;
using NodaTime.TimeZones;

namespace DetaineeAlertBot.Core.Digests;

/// <summary>
/// When a digest channel gets its summary: "daily 09:00 Europe/Berlin" or "weekly mon 08:00 UTC" (contract:
/// Watchlists:N:Digest, /watchlist digest). The time is wall-clock time in an IANA zone, from NodaTime's own copy of the
/// tz database, so it does not depend on the machine's zone files. Across a daylight-saving change the digest still comes
/// once a day: a time that does not exist that day (the clocks jump over it) comes at the same offset after the jump
/// (02:30 → 03:30), and a time that happens twice (the clocks go back) comes at its first occurrence only.
/// </summary>
public sealed class DigestSchedule : IEquatable<DigestSchedule>
{
    /// <summary>The word that turns digests off (the default).</summary>
    public const string Off = "off";

    public const string Format = "off | daily HH:MM <IANA zone> | weekly <day> HH:MM <IANA zone>, e.g. 'daily 09:00 Europe/Berlin', 'weekly mon 08:00 UTC'";

    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    private static readonly Lazy<Dictionary<string, string>> ZoneIds = new(() =>
        DateTimeZoneProviders.Tzdb.Ids.ToDictionary(id => id, id => id, StringComparer.OrdinalIgnoreCase));

    private DigestSchedule(IsoDayOfWeek? day, LocalTime time, DateTimeZone zone)
    {
        Day = day;
        Time = time;
        Zone = zone;
    }

    /// <summary>The weekday of a weekly digest; null for daily.</summary>
    public IsoDayOfWeek? Day { get; }

    public LocalTime Time { get; }

    public DateTimeZone Zone { get; }

    /// <summary>Parses a schedule; "off" gives true with a null schedule. On false, <paramref name="error"/> says what is
    /// wrong in words a person can act on.</summary>
    public static bool TryParse(string? text, out DigestSchedule? schedule, out string error)
    {
        schedule = null;
        error = "";
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (words.Length == 1 && words[0].Equals(Off, StringComparison.OrdinalIgnoreCase)) return true;
        if (words.Length == 0)
        {
            error = $"No schedule given. Write {Format}.";
            return false;
        }

        IsoDayOfWeek? day = null;
        int rest;
        switch (words[0].ToLowerInvariant())
        {
            case "daily" when words.Length == 3:
                rest = 1;
                break;
            case "weekly" when words.Length == 4:
                if (ParseDay(words[1]) is not { } weekday)
                {
                    error = $"'{words[1]}' is not a day of the week (mon, tue, wed, thu, fri, sat, sun).";
                    return false;
                }
                day = weekday;
                rest = 2;
                break;
            default:
                error = $"'{text?.Trim()}' is not a schedule. Write {Format}.";
                return false;
        }

        if (!TryParseTime(words[rest], out var time))
        {
            error = $"'{words[rest]}' is not a time of day; write it as HH:MM on a 24-hour clock (09:00, 18:30).";
            return false;
        }
        if (!ZoneIds.Value.TryGetValue(words[rest + 1], out var zoneId))
        {
            error = $"'{words[rest + 1]}' is not an IANA time zone; write one such as UTC, Europe/Berlin, America/New_York or Asia/Kabul.";
            return false;
        }
        schedule = new DigestSchedule(day, time, DateTimeZoneProviders.Tzdb[zoneId]);
        return true;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>: today's, if its time is still ahead.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset after)
    {
        var instant = Instant.FromDateTimeOffset(after);
        var date = instant.InZone(Zone).Date;
        // At most 8 candidate days reach the next weekday occurrence past today's.
        for (var i = 0; i < 9; i++, date = date.PlusDays(1))
        {
            if (Day is { } day && date.DayOfWeek != day) continue;
            var at = Zone.ResolveLocal(date.At(Time), Resolvers.LenientResolver).ToInstant();
            if (at > instant) return at.ToDateTimeOffset();
        }
        throw new InvalidOperationException($"No occurrence of '{this}' in the 9 days after {after:O}.");
    }

    /// <summary>The latest occurrence in (<paramref name="since"/>, <paramref name="now"/>], or null when none is due:
    /// however many occurrences a stopped bot missed, one digest is due, keyed by the latest.</summary>
    public DateTimeOffset? DueAt(DateTimeOffset since, DateTimeOffset now)
    {
        // A bot stopped for months would otherwise step through every missed day: only the last fortnight can hold the
        // latest occurrence.
        var from = now - since > TimeSpan.FromDays(15) ? now - TimeSpan.FromDays(15) : since;
        DateTimeOffset? due = null;
        for (var next = NextAfter(from); next <= now; next = NextAfter(next)) due = next;
        return due;
    }

    /// <summary>The canonical text: "daily 09:00 Europe/Berlin", "weekly mon 08:00 UTC".</summary>
    public override string ToString()
    {
        var time = Time.ToString("HH:mm", CultureInfo.InvariantCulture);
        return Day is { } day ? $"weekly {DayNames[(int)day - 1]} {time} {Zone.Id}" : $"daily {time} {Zone.Id}";
    }

    public bool Equals(DigestSchedule? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as DigestSchedule);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);

    private static IsoDayOfWeek? ParseDay(string word)
    {
        var lower = word.ToLowerInvariant();
        if (lower.Length < 3) return null;
        for (var i = 0; i < DayNames.Length; i++)
        {
            var full = CultureInfo.InvariantCulture.DateTimeFormat.GetDayName((DayOfWeek)((i + 1) % 7)).ToLowerInvariant();
            if (lower == DayNames[i] || lower == full) return (IsoDayOfWeek)(i + 1);
        }
        return null;
    }

    private static bool TryParseTime(string word, out LocalTime time)
    {
        time = default;
        var parts = word.Split(':');
        if (parts.Length != 2 || parts[0].Length is < 1 or > 2 || parts[1].Length != 2) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hours) ||
            !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)) return false;
        if (hours > 23 || minutes > 59) return false;
        time = new LocalTime(hours, minutes);
        return true;
    }
}
