using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Host;

/// <summary>/healthz says only a status; /healthz/detail and /metrics answer this machine, or a caller with the
/// management key. A remote caller is simulated by a startup filter that rewrites the connection's remote address
/// for requests that carry <see cref="RemoteHeader"/> (only in this test's host).</summary>
public sealed class ManagementEndpointTests
{
    private const string RemoteHeader = "X-Test-Remote-Address";
    private const string ManagementKey = "fake-management-key-0123456789";

    private static Task<BotTestHost> StartAsync(string root, params string[] args) =>
        BotTestHost.StartAsync(root, builder => builder.Services.AddSingleton<IStartupFilter, RemoteAddressFilter>(), args);

    private static HttpRequestMessage Get(string path, string? remote = "203.0.113.7", string? key = null, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (remote is not null) request.Headers.Add(RemoteHeader, remote);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    [Fact]
    public async Task Healthz_FromAnywhere_SaysOnlyTheStatus()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")));
        await using var host = await StartAsync(root);
        await Eventually.TrueAsync(async () => (await host.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK);

        foreach (var remote in new[] { null, "203.0.113.7" })
        {
            using var response = await host.Http.SendAsync(Get("/healthz", remote));
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["status"], body.EnumerateObject().Select(p => p.Name));
            Assert.Equal("healthy", body.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task DetailAndMetrics_RemoteOrProxiedWithoutTheKey_Are401_WithTheKeyOrFromLoopback_Answered()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")));
        await using var host = await StartAsync(root, $"--Management:ApiKey=  {ManagementKey}  ");
        await Eventually.TrueAsync(async () => (await host.Http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK);

        // Every spelling routing accepts is guarded: the guard looks at the endpoint, not at the path text.
        foreach (var path in new[] { "/healthz/detail", "/metrics", "/healthz/detail/", "/HEALTHZ/Detail", "/metrics/" })
        {
            foreach (var refused in new[]
                     {
                         Get(path), // remote, no key
                         Get(path, key: "fake-management-key-0123456780"), // remote, wrong key
                         Get(path, key: ManagementKey[..^1]), // remote, a prefix of the key
                         Get(path, remote: null, forwardedFor: "198.51.100.4"), // through a proxy on this machine
                     })
            {
                using var response = await host.Http.SendAsync(refused);
                var text = await response.Content.ReadAsStringAsync();
                // 401 for the paths themselves; another spelling is either guarded (401) or not routed at all (404).
                var expected = path is "/healthz/detail" or "/metrics" ? [HttpStatusCode.Unauthorized] : new[] { HttpStatusCode.Unauthorized, HttpStatusCode.NotFound };
                Assert.True(expected.Contains(response.StatusCode), $"{path}: {(int)response.StatusCode} {text}");
                Assert.DoesNotContain("cases", text, StringComparison.Ordinal);
                Assert.DoesNotContain("detaineebot", text, StringComparison.Ordinal);
            }
        }

        using (var remoteWithKey = await host.Http.SendAsync(Get("/healthz/detail", key: ManagementKey)))
        {
            Assert.Equal(HttpStatusCode.OK, remoteWithKey.StatusCode);
            Assert.Equal(1, JsonDocument.Parse(await remoteWithKey.Content.ReadAsStringAsync()).RootElement.GetProperty("cases").GetInt32());
        }

        using (var metricsWithKey = await host.Http.SendAsync(Get("/metrics", key: ManagementKey)))
        {
            Assert.Equal(HttpStatusCode.OK, metricsWithKey.StatusCode);
            Assert.Contains("detaineebot", await metricsWithKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var local = await host.Http.SendAsync(Get("/healthz/detail", remote: null));
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public async Task DetailAndMetrics_NoKeyConfigured_OnlyLoopbackIsAnswered()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")));
        await using var host = await StartAsync(root);

        using var remote = await host.Http.SendAsync(Get("/metrics", key: "anything-at-all-0123456789"));
        using var local = await host.Http.SendAsync(Get("/metrics", remote: null));

        Assert.Equal(HttpStatusCode.Unauthorized, remote.StatusCode);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    [Fact]
    public void Build_ShortManagementKey_FailsNamingTheKey()
    {
        var root = BotTestHost.CreateRoot("[]");
        try
        {
            var e = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
                DetaineeAlertBot.Hosting.BotApplication.Build(["--Urls=http://127.0.0.1:0", "--Management:ApiKey=short"], null, root));
            Assert.Contains(e.Failures, f => f.StartsWith("Management:ApiKey is shorter than 16 characters", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>Runs before the bot's own middleware: a request with <see cref="RemoteHeader"/> looks as if it came from
    /// that address.</summary>
    private sealed class RemoteAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(RemoteHeader, out var remote))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(remote.ToString());
                    context.Request.Headers.Remove(RemoteHeader);
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
