using System.Security.Cryptography;

namespace DetaineeAlertBot.Storage;

/// <summary>DeliveryIds makes outbox delivery ids: 24 lowercase base32 characters from 15 random bytes (120 bits),
/// short enough to be a Discord message nonce (at most 25 characters).</summary>
internal static class DeliveryIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    public const int Length = 24;

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[15];
        RandomNumberGenerator.Fill(bytes);
        return string.Create(Length, bytes.ToArray(), static (chars, data) =>
        {
            // 15 bytes = three 40-bit groups, each exactly eight 5-bit characters.
            for (var group = 0; group < 3; group++)
            {
                ulong bits = 0;
                for (var i = 0; i < 5; i++) bits = (bits << 8) | data[(group * 5) + i];
                for (var c = 0; c < 8; c++) chars[(group * 8) + c] = Alphabet[(int)((bits >> (35 - (c * 5))) & 31)];
            }
        });
    }
}
