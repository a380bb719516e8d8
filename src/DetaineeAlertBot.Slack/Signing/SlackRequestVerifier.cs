using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DetaineeAlertBot.Slack.Signing;

/// <summary>Outcome of checking a request signature.</summary>
public enum SlackSignatureCheck
{
    Valid,
    MissingHeaders,
    InvalidTimestamp,
    StaleTimestamp,
    InvalidSignature,
}

/// <summary>
/// Verifies Slack's v0 request signatures (https://docs.slack.dev/authentication/verifying-requests-from-slack):
/// <c>v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body))</c>, compared in constant
/// time, with the timestamp no more than five minutes from now in either direction.
/// </summary>
public sealed class SlackRequestVerifier
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    /// <summary>Slack's replay window.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>"v0=" and 64 hex digits of HMAC-SHA256.</summary>
    private const int SignatureLength = 3 + 64;

    private readonly byte[] _key;
    private readonly TimeProvider _time;

    public SlackRequestVerifier(string signingSecret, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingSecret);
        _key = Encoding.UTF8.GetBytes(signingSecret);
        _time = time;
    }

    /// <summary>The checks that need no body: both headers present, a v0 signature of the right length, a timestamp within
    /// the window. Call it before reading the body, so a caller without plausible headers costs nothing.</summary>
    public SlackSignatureCheck CheckHeaders(string? timestamp, string? signature)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature))
        {
            return SlackSignatureCheck.MissingHeaders;
        }

        if (!signature.StartsWith("v0=", StringComparison.Ordinal) || signature.Length != SignatureLength)
        {
            return SlackSignatureCheck.InvalidSignature;
        }

        if (timestamp.Length > 16 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return SlackSignatureCheck.InvalidTimestamp;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        return Math.Abs(now - seconds) > (long)MaxClockSkew.TotalSeconds ? SlackSignatureCheck.StaleTimestamp : SlackSignatureCheck.Valid;
    }

    /// <summary>Checks the raw request body (as received, before any parsing) against the two headers.</summary>
    public SlackSignatureCheck Verify(ReadOnlySpan<byte> rawBody, string? timestamp, string? signature)
    {
        var headers = CheckHeaders(timestamp, signature);
        if (headers != SlackSignatureCheck.Valid)
        {
            return headers;
        }

        var prefix = Encoding.UTF8.GetBytes("v0:" + timestamp + ":");
        var data = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(data, 0);
        rawBody.CopyTo(data.AsSpan(prefix.Length));
        var expected = Encoding.ASCII.GetBytes("v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(_key, data)));
        var actual = Encoding.UTF8.GetBytes(signature!);

        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? SlackSignatureCheck.Valid
            : SlackSignatureCheck.InvalidSignature;
    }
}
