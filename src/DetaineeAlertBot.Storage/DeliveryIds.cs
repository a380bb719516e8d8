using System.Security.Cryptography;

namespace DetaineeAlertBot.Storage;

/// <summary>DeliveryIds makes outbox delivery ids: 24 lowercase base32 characters, short enough to be a Discord message
/// nonce (at most 25 characters). The first 10 are the creation time in milliseconds since 1970 (50 bits), written with
/// the digits in their sort order (2-7 before a-z), so ids made later sort after earlier ones and the outbox's
/// delivery_id index takes new rows at its end instead of all over it; the other 14 are 70 random bits, so ids are
/// unique and cannot be guessed whatever the clock does.</summary>
internal static class DeliveryIds
{
    /// <summary>The characters of every id; random parts use this order.</summary>
    internal const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>The same characters in ordinal (and C, and ICU) order: the time prefix, so text order is time order.</summary>
    private const string Sorted = "234567abcdefghijklmnopqrstuvwxyz";

    public const int Length = 24;

    private const int TimeChars = 10;

    private const int RandomChars = Length - TimeChars;

    public static string New() => New(DateTimeOffset.UtcNow);

    internal static string New(DateTimeOffset at)
    {
        var milliseconds = (ulong)Math.Max(0, at.ToUnixTimeMilliseconds());
        return string.Create(Length, milliseconds, static (chars, time) =>
        {
            for (var c = TimeChars - 1; c >= 0; c--, time >>= 5) chars[c] = Sorted[(int)(time & 31)];
            RandomBase32.Fill(chars[TimeChars..]);
        });
    }
}

/// <summary>Random lowercase base32 text from the system's cryptographic generator, taken from a per-thread buffer
/// refilled 1 KiB at a time: a sync that makes tens of thousands of ids calls the generator a few hundred times instead
/// of once per id.</summary>
internal static class RandomBase32
{
    private const int BufferBytes = 1024;

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_next;

    public static string New(int length) => string.Create(length, 0, static (chars, _) => Fill(chars));

    /// <summary>Fills <paramref name="chars"/> with 5 random bits each (one random byte per character, its low 5 bits).</summary>
    public static void Fill(Span<char> chars)
    {
        if (t_buffer is null)
        {
            t_buffer = new byte[BufferBytes];
            t_next = BufferBytes;
        }
        var buffer = t_buffer;
        var next = t_next;
        for (var i = 0; i < chars.Length; i++)
        {
            if (next == BufferBytes)
            {
                RandomNumberGenerator.Fill(buffer);
                next = 0;
            }
            chars[i] = DeliveryIds.Alphabet[buffer[next] & 31];
            buffer[next++] = 0; // a byte handed out is not kept
        }
        t_next = next;
    }
}
