using System.Security.Cryptography;
using System.Text;

namespace DetaineeAlertBot.Security;

/// <summary>A configured bearer key (Ingest:ApiKey, Management:ApiKey) and the one way a request is checked against it:
/// <c>Authorization: Bearer &lt;key&gt;</c>, surrounding spaces ignored, compared in constant time.</summary>
public sealed class BearerKey(string key)
{
    // Hashing both sides makes the comparison constant-time whatever the presented key's length.
    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()));

    public bool Matches(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, _expected);
    }
}
