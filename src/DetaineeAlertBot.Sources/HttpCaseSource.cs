using System.Net;
using System.Net.Http.Headers;
using DetaineeAlertBot.Core.Sources;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Sources;

/// <summary>HttpCaseSource polls a feed URL with conditional requests (If-None-Match / If-Modified-Since), a timeout
/// per request and a size limit. It follows redirects only within the feed's origin (the HttpClient must not follow
/// any: <see cref="SourceHttp.CreateHandler"/>), sends user-info from the URL as Basic credentials, and refuses an
/// HTML answer as "not a feed". Failures throw; the polling loop backs off. Messages show only
/// <see cref="Location"/>, never the credentials or the query.</summary>
public sealed class HttpCaseSource(CaseSourceOptions options, HttpClient http, TimeProvider time, ILogger logger) : ICaseSource
{
    private readonly Uri _url = WithoutUserInfo(new Uri(options.Url!, UriKind.Absolute));
    private readonly AuthenticationHeaderValue? _credentials = BasicCredentials(new Uri(options.Url!, UriKind.Absolute));
    private EntityTagHeaderValue? _etag;
    private DateTimeOffset? _lastModified;

    public string Name => options.Name;

    /// <summary>The URL without user-info and query values, so credentials never reach logs or /healthz/detail.</summary>
    public string Location { get; } = SourceHttp.DisplayUrl(options.Url!);

    public async Task<SourceFetch> FetchAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            using var response = await SendFollowingSameOriginAsync(timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotModified) return SourceFetch.NotModified;
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{Location} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }
            if (IsHtml(response.Content.Headers.ContentType?.MediaType))
            {
                throw NotAFeed($"Content-Type {response.Content.Headers.ContentType!.MediaType}");
            }
            if (response.Content.Headers.ContentLength is { } length && length > options.MaxDocumentBytes)
            {
                throw new SourceDocumentTooLargeException($"{Location} sent {length:N0} bytes, over the {options.MaxDocumentBytes:N0}-byte limit; nothing was read.");
            }

            var body = await ReadCappedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            if (LooksLikeHtml(body)) throw NotAFeed("the body starts with markup");
            _etag = response.Headers.ETag;
            _lastModified = response.Content.Headers.LastModified;
            logger.LogDebug("Fetched {Bytes} bytes from {Url}", body.Length, Location);
            return new SourceFetch(body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Location} did not answer within {options.Timeout.TotalSeconds:0} s.");
        }
        catch (HttpRequestException ex) when (ex.StatusCode is null && !ex.Message.StartsWith(Location, StringComparison.Ordinal))
        {
            // Transport errors name only host:port; say which feed it was (the shown URL, never the real one).
            throw new HttpRequestException($"{Location} could not be reached: {ex.Message}", ex);
        }
    }

    private async Task<HttpResponseMessage> SendFollowingSameOriginAsync(CancellationToken cancellationToken)
    {
        var target = _url;
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.Authorization = _credentials;
            if (_etag is not null) request.Headers.IfNoneMatch.Add(_etag);
            if (_lastModified is { } since) request.Headers.IfModifiedSince = since;

            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!IsRedirect(response.StatusCode)) return response;

            using (response)
            {
                if (response.Headers.Location is not { } location)
                {
                    throw new HttpRequestException($"{Location} answered {(int)response.StatusCode} without a Location header.", null, response.StatusCode);
                }
                var next = location.IsAbsoluteUri ? location : new Uri(target, location);
                if (!SourceHttp.SameOrigin(_url, next))
                {
                    throw new HttpRequestException(
                        $"{Location} redirected to another origin ({SourceHttp.Origin(next)}); only redirects within {SourceHttp.Origin(_url)} are followed: set the source's Url to the new address if you trust it.",
                        null, response.StatusCode);
                }
                if (hop + 1 > SourceHttp.MaxRedirects)
                {
                    throw new HttpRequestException($"{Location} redirected more than {SourceHttp.MaxRedirects} times; check the source's Url.", null, response.StatusCode);
                }
                target = WithoutUserInfo(next);
            }
        }
    }

    private SourceNotAFeedException NotAFeed(string evidence) =>
        new($"{Location} answered an HTML page, not a feed ({evidence}): a login page, a captive portal or a proxy error page is the usual cause; check the source's Url and credentials.");

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    private static bool IsHtml(string? mediaType) =>
        string.Equals(mediaType, "text/html", StringComparison.OrdinalIgnoreCase)
        || string.Equals(mediaType, "application/xhtml+xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>A JSON feed starts with '{' or '['; a page served as application/json or text/plain by a misconfigured
    /// proxy starts with '&lt;'.</summary>
    private static bool LooksLikeHtml(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) body = body[3..]; // UTF-8 byte order mark
        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && body[start] == (byte)'<';
    }

    private static Uri WithoutUserInfo(Uri uri) =>
        uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;

    /// <summary>HttpClient ignores user-info in a URL; feed operators who write https://user:pass@host expect Basic.</summary>
    private static AuthenticationHeaderValue? BasicCredentials(Uri uri)
    {
        if (uri.UserInfo.Length == 0) return null;
        var separator = uri.UserInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
        var password = separator < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
    }

    /// <summary>Drops the validators so the next poll gets the whole document (the last one was not applied).</summary>
    public void ForgetVersion()
    {
        _etag = null;
        _lastModified = null;
    }

    public Task WaitForNextAsync(CancellationToken cancellationToken) => Task.Delay(options.EffectivePollInterval, time, cancellationToken);

    private async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // Content-Length can be absent (chunked): count while reading and stop at the limit.
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > options.MaxDocumentBytes)
            {
                throw new SourceDocumentTooLargeException($"{Location} sent more than the {options.MaxDocumentBytes:N0}-byte limit; nothing was read.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
