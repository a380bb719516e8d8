using System.Net;
using System.Net.Http.Headers;
using DetaineeAlertBot.Core.Sources;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Sources;

/// <summary>HttpCaseSource polls a feed URL with conditional requests (If-None-Match / If-Modified-Since), a timeout
/// per request and a size limit. Failures throw; the polling loop backs off.</summary>
public sealed class HttpCaseSource(CaseSourceOptions options, HttpClient http, TimeProvider time, ILogger logger) : ICaseSource
{
    private EntityTagHeaderValue? _etag;
    private DateTimeOffset? _lastModified;

    public string Name => options.Name;

    /// <summary>The URL without user info, so credentials never reach logs or /healthz.</summary>
    public string Location { get; } = Redact(options.Url!);

    public async Task<SourceFetch> FetchAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, options.Url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_etag is not null) request.Headers.IfNoneMatch.Add(_etag);
        if (_lastModified is { } since) request.Headers.IfModifiedSince = since;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{Location} did not answer within {options.Timeout.TotalSeconds:0} s.");
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotModified) return SourceFetch.NotModified;
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{Location} answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
            }
            if (response.Content.Headers.ContentLength is { } length && length > options.MaxDocumentBytes)
            {
                throw new SourceDocumentTooLargeException($"{Location} sent {length:N0} bytes, over the {options.MaxDocumentBytes:N0}-byte limit; nothing was read.");
            }

            var body = await ReadCappedAsync(response.Content, timeout.Token).ConfigureAwait(false);
            _etag = response.Headers.ETag;
            _lastModified = response.Content.Headers.LastModified;
            logger.LogDebug("Fetched {Bytes} bytes from {Url}", body.Length, Location);
            return new SourceFetch(body);
        }
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

    private static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString()
            : url;
}
