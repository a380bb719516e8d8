using DetaineeAlertBot.Core.Cases;
using System.Data.Common;
using System.Text.RegularExpressions;

namespace DetaineeAlertBot.Security;

/// <summary>
/// SecretRedactor is the last line of defence for what the bot writes (logs, /healthz/detail, error answers): every
/// configured secret (chat tokens, signing secret, API keys, the database password, the query strings and user-info of
/// source URLs) is replaced by "***", any URL's query string by "?…" and its user-info removed, and control, bidi and
/// zero-width characters that could forge or hide log lines are dropped. The code never means to write a secret; this
/// catches what a library's exception message might carry.
/// </summary>
public sealed partial class SecretRedactor
{
    private const string Mask = "***";

    /// <summary>Keys whose values are secrets, whatever they hold.</summary>
    private static readonly string[] SecretKeys =
    [
        "Discord:BotToken", "Slack:BotToken", "Slack:AppToken", "Slack:SigningSecret", "Ingest:ApiKey", "Management:ApiKey",
    ];

    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string> secrets)
    {
        // Longest first, so a secret that contains another is masked whole; very short values would mask ordinary words.
        _secrets = secrets.Where(s => s.Length >= 6).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
    }

    /// <summary>The secrets named by the configuration (see <see cref="SecretKeys"/>, the storage password, source URLs).</summary>
    public static SecretRedactor FromConfiguration(IConfiguration configuration)
    {
        var secrets = new List<string>();
        foreach (var key in SecretKeys)
        {
            if (configuration[key]?.Trim() is { Length: > 0 } value) secrets.Add(value);
        }

        if (configuration["Storage:ConnectionString"] is { Length: > 0 } connectionString) secrets.AddRange(ConnectionStringSecrets(connectionString));
        foreach (var source in configuration.GetSection("Sources").GetChildren())
        {
            if (source["Url"] is { Length: > 0 } url) secrets.AddRange(UrlSecrets(url));
        }

        return new SecretRedactor(secrets);
    }

    /// <summary>The text with secrets masked, URL queries and user-info removed, and unsafe characters dropped.</summary>
    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = text;
        foreach (var secret in _secrets)
        {
            if (result.Contains(secret, StringComparison.Ordinal)) result = result.Replace(secret, Mask, StringComparison.Ordinal);
        }

        result = UrlUserInfo().Replace(result, "$1");
        result = UrlQuery().Replace(result, "$1?…");
        // An ESC or U+202E in a stranger's text must not rewrite a terminal line; newlines and tabs stay.
        return UntrustedText.CleanMultiline(result);
    }

    private static IEnumerable<string> ConnectionStringSecrets(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            yield break; // Reported by the storage validation; nothing to learn here.
        }

        foreach (var key in new[] { "Password", "Pwd" })
        {
            if (builder.TryGetValue(key, out var value) && value?.ToString() is { Length: > 0 } password) yield return password;
        }
    }

    private static IEnumerable<string> UrlSecrets(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) yield break;
        if (uri.UserInfo.Length > 0)
        {
            yield return uri.UserInfo;
            foreach (var part in uri.UserInfo.Split(':')) yield return Uri.UnescapeDataString(part);
        }

        var query = uri.Query.TrimStart('?');
        if (query.Length == 0) yield break;
        yield return query;
        foreach (var pair in query.Split('&'))
        {
            var value = pair[(pair.IndexOf('=') + 1)..];
            yield return value;
            yield return Uri.UnescapeDataString(value);
        }
    }

    // scheme://user:pass@host → scheme://host
    [GeneratedRegex(@"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/@?#]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();

    // scheme://host/path?query → scheme://host/path?…
    [GeneratedRegex(@"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#""'<>]+)\?[^\s#""'<>]+", RegexOptions.CultureInvariant)]
    private static partial Regex UrlQuery();
}
