using System.Text;
using NSec.Cryptography;

namespace DetaineeAlertBot.Discord.Interactions;

/// <summary>
/// Verifies HTTP interactions: Ed25519 over the UTF-8 bytes of <c>X-Signature-Timestamp</c> followed by the raw
/// body, with the application's public key. Any malformed input is simply "not valid" (answer 401, never 500).
/// https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
/// </summary>
public sealed class DiscordSignatureVerifier
{
    private const int SignatureBytes = 64;
    private const int MaxTimestampLength = 32;
    private readonly PublicKey _key;

    /// <param name="publicKeyHex">The application's "Public Key" (64 hex digits).</param>
    /// <exception cref="FormatException">The key is not 32 bytes of hex.</exception>
    public DiscordSignatureVerifier(string publicKeyHex)
    {
        if (!TryParseKey(publicKeyHex, out var key))
        {
            throw new FormatException("The Discord public key must be 64 hexadecimal characters (the application's Public Key).");
        }

        _key = key;
    }

    /// <summary>How old a signed interaction may be. Discord sends interactions at once, so anything older is a replay of a
    /// captured request (Discord's docs give no window; ours bounds how long the replay memory must remember an id).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>How far ahead of our clock a timestamp may be (clock skew).</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromMinutes(1);

    /// <summary>True when <paramref name="timestamp"/> (<c>X-Signature-Timestamp</c>, Unix seconds) is within
    /// <see cref="MaxAge"/> before and <see cref="MaxAhead"/> after <paramref name="now"/>. Checked before the body is read.</summary>
    public static bool IsFresh(string? timestamp, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(timestamp) || timestamp.Length > MaxTimestampLength
            || !long.TryParse(timestamp, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var age = now.ToUnixTimeSeconds() - seconds;
        return age <= (long)MaxAge.TotalSeconds && -age <= (long)MaxAhead.TotalSeconds;
    }

    /// <summary>True when the signature header has the shape of an Ed25519 signature (128 hex digits); checked before the
    /// body is read, so a caller without a plausible signature costs us nothing.</summary>
    public static bool IsWellFormedSignature(string? signatureHex) =>
        signatureHex is { Length: SignatureBytes * 2 } && signatureHex.All(char.IsAsciiHexDigit);

    /// <summary>True when <paramref name="publicKeyHex"/> is a usable Ed25519 public key.</summary>
    public static bool IsValidPublicKey(string? publicKeyHex) => TryParseKey(publicKeyHex, out _);

    public bool Verify(string? signatureHex, string? timestamp, ReadOnlySpan<byte> body)
    {
        if (signatureHex is not { Length: SignatureBytes * 2 } || string.IsNullOrEmpty(timestamp) || timestamp.Length > MaxTimestampLength)
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[SignatureBytes];
        if (Convert.FromHexString(signatureHex, signature, out _, out var written) != System.Buffers.OperationStatus.Done || written != SignatureBytes)
        {
            return false;
        }

        var timestampBytes = Encoding.UTF8.GetByteCount(timestamp);
        var message = new byte[timestampBytes + body.Length];
        Encoding.UTF8.GetBytes(timestamp, message);
        body.CopyTo(message.AsSpan(timestampBytes));
        return SignatureAlgorithm.Ed25519.Verify(_key, message, signature);
    }

    private static bool TryParseKey(string? hex, out PublicKey key)
    {
        key = null!;
        if (hex is not { Length: 64 })
        {
            return false;
        }

        try
        {
            return PublicKey.TryImport(SignatureAlgorithm.Ed25519, Convert.FromHexString(hex), KeyBlobFormat.RawPublicKey, out key!);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
