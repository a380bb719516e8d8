using System.Collections.Concurrent;

namespace DetaineeAlertBot.Core.Cases;

/// <summary>SharedValues keeps one instance of each short field value that many cases repeat (countries, nationalities,
/// holders, places: "China" was 23,000 strings of one catalog of 100,000 cases), so the catalog holds each once. Values
/// are compared ordinally, so a case reads exactly as before. Bounded: past <see cref="MaxValues"/> distinct values (or
/// for a value over <see cref="MaxLength"/> characters) a value is kept as it is.</summary>
public static class SharedValues
{
    public const int MaxLength = 100;

    public const int MaxValues = 20_000;

    private static readonly ConcurrentDictionary<string, string> Values = new(StringComparer.Ordinal);
    private static int _count;

    /// <summary>The shared instance equal to <paramref name="value"/> (the value itself the first time it is seen).</summary>
    public static string? Of(string? value)
    {
        if (value is null || value.Length > MaxLength) return value;
        if (Values.TryGetValue(value, out var shared)) return shared;
        if (Volatile.Read(ref _count) >= MaxValues) return value;
        if (Values.TryAdd(value, value))
        {
            Interlocked.Increment(ref _count);
            return value;
        }
        return Values.TryGetValue(value, out shared) ? shared : value;
    }
}
