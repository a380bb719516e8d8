using System.Net;

namespace DetaineeAlertBot.Sources;

/// <summary>How Http sources talk HTTP: the handler the host must give their HttpClient, and the URL as it may be
/// shown in logs and /healthz/detail.</summary>
public static class SourceHttp
{
    /// <summary>Redirects followed per fetch, all within the feed's origin.</summary>
    public const int MaxRedirects = 5;

    /// <summary>The primary handler for the <see cref="CaseSourceFactory.HttpClientName"/> client. Automatic redirects
    /// are off because the handler would follow them to any host, carrying our Authorization header with it and
    /// letting a compromised feed server point us at internal addresses; HttpCaseSource follows same-origin ones.</summary>
    public static HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate | DecompressionMethods.Brotli,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5), // so a feed host's DNS change is seen
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };

    /// <summary>The URL without user-info, fragment and query values ("?…" stands for a query), because feed URLs
    /// often carry a token in either place and whatever we show ends up in logs and screenshots.</summary>
    public static string DisplayUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "(invalid URL)";
        var shown = uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return uri.Query.Length > 1 ? shown + "?…" : shown;
    }

    /// <summary>scheme://host:port, for messages about a redirect target we refused.</summary>
    internal static string Origin(Uri uri) => uri.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);

    internal static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}

/// <summary>Thrown when a source answers with something that is not a feed document (an HTML login or error page).</summary>
public sealed class SourceNotAFeedException(string message) : Exception(message);
