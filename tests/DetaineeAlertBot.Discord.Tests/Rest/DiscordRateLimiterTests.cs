using System.Net;
using System.Collections.Concurrent;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Rest;

/// <summary>
/// Rate limiting on virtual time: each scripted response carries Discord's headers, the handler notes the virtual
/// time of every request, and the tests compare those times (never the wall clock).
/// </summary>
public class DiscordRateLimiterTests
{
    private const string ChannelA = "645027906669510667";
    private const string ChannelB = "645027906669510668";
    private const string Ok = """{"id":"1300000000000000001"}""";
    private static readonly CreateMessageRequest Message = new() { Content = "hi", AllowedMentions = AllowedMentions.None };

    private readonly WaitAwareTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<(string Path, DateTimeOffset At)> _sent = new();

    private StubHttpHandler Handler(Func<HttpRequestMessage, int, HttpResponseMessage> respond) => new((request, n) =>
    {
        _sent.Enqueue((request.RequestUri!.AbsolutePath, _time.GetUtcNow()));
        return respond(request, n);
    });

    private static HttpResponseMessage Bucket(int remaining, double resetAfter) => StubHttpHandler.Json(HttpStatusCode.OK, Ok,
        ("X-RateLimit-Limit", "5"), ("X-RateLimit-Remaining", remaining.ToString()), ("X-RateLimit-Reset-After", resetAfter.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ("X-RateLimit-Bucket", "f4k3"));

    // Each time the client waits on the clock, jump to the end of that wait. The horizon is shorter than the 15 s
    // request timeout every attempt arms, so only the limiter's own waits move the clock.
    private Task RunUntilDone(Task task) => _time.RunUntilDoneAsync(task, horizon: TimeSpan.FromSeconds(10));

    [Fact]
    public async Task CreateMessage_BucketExhausted_WaitsForResetBeforeSending()
    {
        var handler = Handler((_, n) => n == 0 ? Bucket(remaining: 0, resetAfter: 5) : Bucket(remaining: 4, resetAfter: 5));
        var client = Clients.Rest(handler, _time);

        await client.CreateMessageAsync(ChannelA, Message, CancellationToken.None);
        await RunUntilDone(client.CreateMessageAsync(ChannelA, Message, CancellationToken.None));

        var times = _sent.Select(s => s.At).ToArray();
        Assert.Equal(2, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(5), $"second request sent after {times[1] - times[0]}");
    }

    [Fact]
    public async Task CreateMessage_BucketExhaustedOnOneChannel_OtherChannelNotDelayed()
    {
        var handler = Handler((_, _) => Bucket(remaining: 0, resetAfter: 5));
        var client = Clients.Rest(handler, _time);

        await client.CreateMessageAsync(ChannelA, Message, CancellationToken.None);
        await client.CreateMessageAsync(ChannelB, Message, CancellationToken.None);

        var times = _sent.Select(s => s.At).ToArray();
        Assert.Equal(times[0], times[1]);
    }

    [Fact]
    public async Task CreateMessage_BucketTooManyRequests_WaitsRetryAfterThenSucceeds()
    {
        // The "user" 429 example of topics/rate-limits, with a short retry_after.
        var handler = Handler((_, n) => n == 0
            ? StubHttpHandler.Json(HttpStatusCode.TooManyRequests, """{"message":"You are being rate limited.","retry_after":2.5,"global":false}""",
                ("Retry-After", "3"), ("X-RateLimit-Limit", "5"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset-After", "2.5"),
                ("X-RateLimit-Bucket", "f4k3"), ("X-RateLimit-Scope", "user"))
            : Bucket(remaining: 4, resetAfter: 5));
        var client = Clients.Rest(handler, _time);

        await RunUntilDone(client.CreateMessageAsync(ChannelA, Message, CancellationToken.None));

        var times = _sent.Select(s => s.At).ToArray();
        Assert.Equal(2, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(2.5));
        Assert.Equal(1, client.Health.InvalidRequestsLast10Minutes);
    }

    [Fact]
    public async Task CreateMessage_CloudflareTooManyRequests_HonoursRetryAfterHeader()
    {
        // Cloudflare 429: only Retry-After, no JSON body.
        var handler = Handler((_, n) => n == 0
            ? new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Headers = { { "Retry-After", "1" } } }
            : Bucket(remaining: 4, resetAfter: 5));
        var client = Clients.Rest(handler, _time);

        await RunUntilDone(client.CreateMessageAsync(ChannelA, Message, CancellationToken.None));

        var times = _sent.Select(s => s.At).ToArray();
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task AnyRequest_GlobalTooManyRequests_PausesEveryRoute()
    {
        // The "global" 429 example of topics/rate-limits.
        var handler = Handler((request, n) => n == 0
            ? StubHttpHandler.Json(HttpStatusCode.TooManyRequests, """{"message":"You are being rate limited.","retry_after":3,"global":true}""",
                ("Retry-After", "3"), ("X-RateLimit-Global", "true"), ("X-RateLimit-Scope", "global"))
            : Bucket(remaining: 4, resetAfter: 5));
        var client = Clients.Rest(handler, _time);

        var first = client.CreateMessageAsync(ChannelA, Message, CancellationToken.None);
        await Eventually.TrueAsync(() => handler.Calls == 1);
        var other = client.CreateMessageAsync(ChannelB, Message, CancellationToken.None);
        await RunUntilDone(Task.WhenAll(first, other));

        var times = _sent.Select(s => s.At).ToArray();
        Assert.Equal(3, times.Length);
        Assert.All(times.Skip(1), t => Assert.True(t - times[0] >= TimeSpan.FromSeconds(3), $"sent {t - times[0]} after the global 429"));
    }

    [Fact]
    public async Task AnyRequest_GlobalRateReached_WaitsAWindowAfterCompletions()
    {
        var handler = Handler((_, _) => Bucket(remaining: 4, resetAfter: 5));
        var client = Clients.Rest(handler, _time, o => o.GlobalRequestsPerSecond = 2);

        await client.CreateMessageAsync(ChannelA, Message, CancellationToken.None);
        await client.CreateMessageAsync(ChannelB, Message, CancellationToken.None);
        await RunUntilDone(client.CreateMessageAsync("645027906669510669", Message, CancellationToken.None));

        var times = _sent.Select(s => s.At).ToArray();
        Assert.Equal(times[0], times[1]);
        Assert.True(times[2] - times[0] >= TimeSpan.FromSeconds(1));
    }
}
