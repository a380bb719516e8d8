using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Tests.Host;

/// <summary>The polling loop against a real feed server on 127.0.0.1 that fails, then recovers.</summary>
public class HttpSourcePollingTests
{
    [Fact]
    public async Task Poll_FailingFeed_BacksOffReportsAndRecoversWithOnePollAtATime()
    {
        var calls = 0;
        var inFlight = 0;
        var maxInFlight = 0;
        var arrived = 0;
        // Each answer is held until the test has seen the request and checked that no other poll overlaps it.
        using var release = new SemaphoreSlim(0);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var feed = builder.Build();
        feed.MapGet("/feed", async (HttpContext context) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            Interlocked.Increment(ref arrived);
            try
            {
                await release.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
                if (Interlocked.Increment(ref calls) <= 2)
                {
                    context.Response.StatusCode = 500;
                    return;
                }
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(BotTestHost.Feed(("w-1", "Web Person", "detained")));
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        });
        await feed.StartAsync();
        var url = new Uri(new Uri(feed.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()), "/feed");

        var root = BotTestHost.CreateRoot("[]", $$"""{ "Sources": [ { "Name": "web", "Type": "Http", "Url": "{{url}}", "PollInterval": "00:00:05" } ] }""");
        await using var host = await BotTestHost.StartAsync(root);

        // Two failures are reported with their reason, then the third poll (after 1 s and 2 s of backoff) applies.
        async Task AnswerPollAsync(int poll)
        {
            await Eventually.TrueAsync(() => Volatile.Read(ref arrived) >= poll, because: $"poll {poll} to reach the feed");
            Assert.Equal(1, Volatile.Read(ref inFlight));
            release.Release();
        }

        await AnswerPollAsync(1);
        await Eventually.TrueAsync(async () => (await PipelineEndToEndTests.Health(host)).Contains("answered 500"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Http.GetAsync("/healthz/detail")).StatusCode);
        await AnswerPollAsync(2);
        await AnswerPollAsync(3);
        await Eventually.TrueAsync(async () => (await PipelineEndToEndTests.Health(host)).Contains("\"cases\":1"), TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => (await host.Http.GetAsync("/healthz/detail")).StatusCode == HttpStatusCode.OK);
        Assert.Equal(1, maxInFlight);
        Assert.InRange(calls, 3, 4);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
