using System.Collections.Concurrent;
using System.Net;
using System.Text;
using DetaineeAlertBot.Core.Sources;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Sources.Tests;

/// <summary>The Http source against a real feed server on 127.0.0.1 that honours conditional requests.</summary>
public sealed class HttpCaseSourceTests : IAsyncLifetime
{
    private WebApplication _server = null!;
    private WebApplication _otherOrigin = null!;
    private readonly ConcurrentQueue<(string? IfNoneMatch, string? IfModifiedSince)> _requests = new();
    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly ConcurrentQueue<string> _otherOriginRequests = new();

    public string ContentType { get; set; } = "application/json";

    public string Body { get; set; } = """{"cases":[]}""";

    public int StatusCode { get; set; } = 200;

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public bool Chunked { get; set; }

    private Uri BaseAddress => AddressOf(_server);

    private static Uri AddressOf(WebApplication app) => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static WebApplication LoopbackServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder.Build();
    }

    public async Task InitializeAsync()
    {
        _otherOrigin = LoopbackServer();
        _otherOrigin.MapGet("/{**path}", (HttpContext context) =>
        {
            _otherOriginRequests.Enqueue(context.Request.Headers.Authorization.ToString());
            return Results.Text("""{"cases":[]}""", "application/json");
        });
        await _otherOrigin.StartAsync();

        _server = LoopbackServer();
        // Redirect routes: /hop/N redirects N more times before the feed; /away redirects to the other origin.
        _server.MapGet("/hop/{count:int}", (int count) => Results.Redirect(count <= 1 ? "/feed.json" : $"/hop/{count - 1}"));
        _server.MapGet("/away", () => Results.Redirect(new Uri(AddressOf(_otherOrigin), "/stolen").ToString()));
        _server.MapGet("/feed.json", async (HttpContext context) =>
        {
            _authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            _requests.Enqueue((context.Request.Headers.IfNoneMatch.ToString(), context.Request.Headers.IfModifiedSince.ToString()));
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, context.RequestAborted); // a slow feed, to meet the source's timeout
            var etag = "\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Body)))[..16] + "\"";
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                context.Response.StatusCode = 304;
                return;
            }
            context.Response.StatusCode = StatusCode;
            context.Response.Headers.ETag = etag;
            context.Response.Headers.LastModified = "Sun, 22 Nov 2026 10:00:00 GMT";
            context.Response.ContentType = ContentType;
            var bytes = Encoding.UTF8.GetBytes(Body);
            if (!Chunked) context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _otherOrigin.DisposeAsync();
    }

    private HttpCaseSource Source(TimeSpan? timeout = null, long maxBytes = 1024 * 1024, string? url = null) => new(
        new CaseSourceOptions
        {
            Name = "web", Type = "Http", Url = url ?? new Uri(BaseAddress, "/feed.json").ToString(),
            Timeout = timeout ?? TimeSpan.FromSeconds(10), MaxDocumentBytes = maxBytes,
        },
        new HttpClient(SourceHttp.CreateHandler()), TimeProvider.System, NullLogger.Instance);

    [Fact]
    public async Task Fetch_Unchanged_SendsValidatorsAndGets304()
    {
        var source = Source();

        var first = await source.FetchAsync(CancellationToken.None);
        var second = await source.FetchAsync(CancellationToken.None);

        Assert.True(first.IsModified);
        Assert.False(second.IsModified);
        var requests = _requests.ToArray();
        Assert.Equal("", requests[0].IfNoneMatch);
        Assert.StartsWith("\"", requests[1].IfNoneMatch);
        Assert.Equal("Sun, 22 Nov 2026 10:00:00 GMT", requests[1].IfModifiedSince);
    }

    [Fact]
    public async Task Fetch_Changed_ReturnsTheNewDocument()
    {
        var source = Source();
        await source.FetchAsync(CancellationToken.None);

        Body = """{"cases":[{"id":"1"}]}""";
        var fetch = await source.FetchAsync(CancellationToken.None);

        Assert.Equal(Body, Encoding.UTF8.GetString(fetch.Document!.Value.Span));
    }

    [Fact]
    public async Task Fetch_AfterForgetVersion_SendsNoValidators()
    {
        var source = Source();
        await source.FetchAsync(CancellationToken.None);

        source.ForgetVersion();
        var fetch = await source.FetchAsync(CancellationToken.None);

        Assert.True(fetch.IsModified);
        Assert.Equal("", _requests.Last().IfNoneMatch);
    }

    [Fact]
    public async Task Fetch_ServerError_ThrowsWithStatus()
    {
        StatusCode = 503;

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Source().FetchAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Contains("answered 503", error.Message);
    }

    [Fact]
    public async Task Fetch_SlowServer_TimesOutWithClearMessage()
    {
        Delay = TimeSpan.FromSeconds(10);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Source(timeout: TimeSpan.FromMilliseconds(300)).FetchAsync(CancellationToken.None));

        Assert.Contains("did not answer within", error.Message);
    }

    [Theory]
    [InlineData(false)] // Content-Length says it up front
    [InlineData(true)]  // chunked: counted while reading
    public async Task Fetch_OverSizeLimit_Throws(bool chunked)
    {
        Chunked = chunked;
        Body = "[" + new string(' ', 4000) + "]";

        await Assert.ThrowsAsync<SourceDocumentTooLargeException>(() => Source(maxBytes: 1000).FetchAsync(CancellationToken.None));
    }

    [Fact]
    public void Location_WithCredentials_IsRedacted()
    {
        var source = Source(url: "https://user:secret@feeds.example.org/cases.json");

        Assert.DoesNotContain("secret", source.Location);
        Assert.Equal("https://feeds.example.org/cases.json", source.Location);
    }

    [Fact]
    public void Location_WithQuery_HidesTheQueryValues()
    {
        var source = Source(url: "https://reader:pw@feeds.example.org/v1/cases.json?token=SECRET&format=json#top");

        Assert.Equal("https://feeds.example.org/v1/cases.json?…", source.Location);
    }

    [Fact]
    public async Task Fetch_UserInfoInUrl_IsSentAsBasicCredentials()
    {
        var url = new UriBuilder(new Uri(BaseAddress, "/feed.json")) { UserName = "reader", Password = "p@ss word" }.Uri.ToString();

        await Source(url: url).FetchAsync(CancellationToken.None);

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("reader:p@ss word")), _authorizations.Single());
    }

    [Fact]
    public async Task Fetch_SameOriginRedirects_AreFollowedUpToTheLimit()
    {
        var fetch = await Source(url: new Uri(BaseAddress, $"/hop/{SourceHttp.MaxRedirects}").ToString()).FetchAsync(CancellationToken.None);

        Assert.Equal(Body, Encoding.UTF8.GetString(fetch.Document!.Value.Span));
    }

    [Fact]
    public async Task Fetch_TooManyRedirects_ThrowsWithoutReachingTheFeed()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Source(url: new Uri(BaseAddress, $"/hop/{SourceHttp.MaxRedirects + 1}").ToString()).FetchAsync(CancellationToken.None));

        Assert.Contains($"redirected more than {SourceHttp.MaxRedirects} times", error.Message);
        Assert.Empty(_requests);
    }

    [Fact]
    public async Task Fetch_RedirectToAnotherOrigin_IsRefusedAndNothingReachesIt()
    {
        var url = new UriBuilder(new Uri(BaseAddress, "/away")) { UserName = "reader", Password = "SECRET" }.Uri.ToString();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => Source(url: url).FetchAsync(CancellationToken.None));

        Assert.Contains("redirected to another origin", error.Message);
        Assert.Contains(AddressOf(_otherOrigin).Port.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.DoesNotContain("SECRET", error.Message);
        Assert.Empty(_otherOriginRequests); // neither the request nor our credentials went there
    }

    [Theory]
    [InlineData("text/html", "<!doctype html><html><body>Sign in</body></html>")]
    [InlineData("application/json", "\n  <html><body>502 Bad Gateway</body></html>")] // a proxy page with the wrong type
    public async Task Fetch_HtmlAnswer_IsReportedAsNotAFeed(string contentType, string body)
    {
        ContentType = contentType;
        Body = body;

        var error = await Assert.ThrowsAsync<SourceNotAFeedException>(() => Source().FetchAsync(CancellationToken.None));

        Assert.Contains("not a feed", error.Message);
    }

    [Fact]
    public async Task Fetch_Unreachable_NamesTheShownUrlButNoSecret()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var closedPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            Source(url: $"http://reader:SECRET@127.0.0.1:{closedPort}/cases.json?token=SECRET").FetchAsync(CancellationToken.None));

        Assert.StartsWith($"http://127.0.0.1:{closedPort}/cases.json?… could not be reached", error.Message);
        Assert.DoesNotContain("SECRET", error.ToString());
    }
}
