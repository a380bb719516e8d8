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
    private readonly ConcurrentQueue<(string? IfNoneMatch, string? IfModifiedSince)> _requests = new();

    public string Body { get; set; } = """{"cases":[]}""";

    public int StatusCode { get; set; } = 200;

    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    public bool Chunked { get; set; }

    private Uri BaseAddress => new(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _server = builder.Build();
        _server.MapGet("/feed.json", async (HttpContext context) =>
        {
            _requests.Enqueue((context.Request.Headers.IfNoneMatch.ToString(), context.Request.Headers.IfModifiedSince.ToString()));
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, context.RequestAborted);
            var etag = "\"" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Body)))[..16] + "\"";
            if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            {
                context.Response.StatusCode = 304;
                return;
            }
            context.Response.StatusCode = StatusCode;
            context.Response.Headers.ETag = etag;
            context.Response.Headers.LastModified = "Sun, 22 Nov 2026 10:00:00 GMT";
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(Body);
            if (!Chunked) context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
        });
        await _server.StartAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HttpCaseSource Source(TimeSpan? timeout = null, long maxBytes = 1024 * 1024, string? url = null) => new(
        new CaseSourceOptions
        {
            Name = "web", Type = "Http", Url = url ?? new Uri(BaseAddress, "/feed.json").ToString(),
            Timeout = timeout ?? TimeSpan.FromSeconds(10), MaxDocumentBytes = maxBytes,
        },
        new HttpClient(), TimeProvider.System, NullLogger.Instance);

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
}
