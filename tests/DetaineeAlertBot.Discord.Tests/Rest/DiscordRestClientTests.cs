using System.Net;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Discord.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Discord.Tests.Rest;

/// <summary>The REST client against a scripted HttpMessageHandler: headers, errors and the retry table.</summary>
public class DiscordRestClientTests
{
    private const string Channel = "645027906669510667";
    private const string MessageJson = """{"id":"1300000000000000001","channel_id":"645027906669510667","nonce":"a1b2c3"}""";

    private static readonly CreateMessageRequest Message = new()
    {
        Content = "hello",
        AllowedMentions = AllowedMentions.None,
        Nonce = "a1b2c3d4e5f6a7b8c9d0e1f2a",
        EnforceNonce = true,
    };

    [Fact]
    public async Task CreateMessage_Always_SendsBotAuthorizationUserAgentAndJsonBody()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.OK, MessageJson));
        var client = Clients.Rest(handler);

        var message = await client.CreateMessageAsync(Channel, Message, CancellationToken.None);

        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal("http://127.0.0.1:9/api/v10/channels/645027906669510667/messages", request.RequestUri!.ToString());
        Assert.Equal("Bot fake-bot-token", request.Headers.Authorization!.ToString());
        Assert.StartsWith("DiscordBot (", request.Headers.UserAgent.ToString());
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("""{"content":"hello","allowed_mentions":{"parse":[]},"nonce":"a1b2c3d4e5f6a7b8c9d0e1f2a","enforce_nonce":true}""", body);
        // Snowflakes stay strings: no precision lost on 64-bit ids.
        Assert.Equal("1300000000000000001", message.Id);
    }

    // Status -> (calls made, exception type): 5xx retried (bounded), 4xx never.
    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, 4)]
    [InlineData(HttpStatusCode.BadGateway, 4)]
    [InlineData(HttpStatusCode.ServiceUnavailable, 4)]
    [InlineData(HttpStatusCode.BadRequest, 1)]
    [InlineData(HttpStatusCode.Forbidden, 1)]
    [InlineData(HttpStatusCode.NotFound, 1)]
    [InlineData(HttpStatusCode.Unauthorized, 1)]
    public async Task CreateMessage_ErrorStatus_RetriesOnlyServerErrors(HttpStatusCode status, int expectedCalls)
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(status, """{"code":0,"message":"nope"}"""));
        var client = Clients.Rest(handler);

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));

        Assert.Equal(status, e.Status);
        Assert.Equal(expectedCalls, handler.Calls);
    }

    [Fact]
    public async Task CreateMessage_ServerErrorThenSuccess_ReturnsMessage()
    {
        var handler = new StubHttpHandler((_, n) => n == 0
            ? StubHttpHandler.Json(HttpStatusCode.BadGateway, "")
            : StubHttpHandler.Json(HttpStatusCode.OK, MessageJson));
        var client = Clients.Rest(handler);

        var message = await client.CreateMessageAsync(Channel, Message, CancellationToken.None);

        Assert.Equal("1300000000000000001", message.Id);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task CreateMessage_NetworkFailureThenSuccess_Retries()
    {
        var handler = new StubHttpHandler((_, n) => n == 0
            ? throw new HttpRequestException("connection reset")
            : StubHttpHandler.Json(HttpStatusCode.OK, MessageJson));
        var client = Clients.Rest(handler);

        await client.CreateMessageAsync(Channel, Message, CancellationToken.None);

        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task CreateMessage_FirstAttemptTimesOut_RetriedAndSent()
    {
        var handler = new HangingThenOkHandler();
        var client = new DiscordRestClient(new HttpClient(handler), Microsoft.Extensions.Options.Options.Create(new DiscordRestOptions
        {
            ApiBaseUrl = new Uri("http://127.0.0.1:9/api/v10"),
            BotToken = "fake-bot-token",
            RequestTimeout = TimeSpan.FromMilliseconds(200),
            ServerErrorBackoff = TimeSpan.FromMilliseconds(10),
        }));

        var message = await client.CreateMessageAsync(Channel, Message, CancellationToken.None);

        Assert.Equal("1300000000000000001", message.Id);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task CreateMessage_EveryAttemptTimesOut_TimeoutAfterBoundedRetries()
    {
        var handler = new HangingThenOkHandler(hangs: int.MaxValue);
        var client = new DiscordRestClient(new HttpClient(handler), Microsoft.Extensions.Options.Options.Create(new DiscordRestOptions
        {
            ApiBaseUrl = new Uri("http://127.0.0.1:9/api/v10"),
            BotToken = "fake-bot-token",
            RequestTimeout = TimeSpan.FromMilliseconds(100),
            ServerErrorBackoff = TimeSpan.FromMilliseconds(10),
            MaxServerErrorRetries = 2,
        }));

        await Assert.ThrowsAsync<TimeoutException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));

        Assert.Equal(3, handler.Calls);
    }

    /// <summary>Never answers the first <c>hangs</c> requests (until cancelled), then answers 200.</summary>
    private sealed class HangingThenOkHandler(int hangs = 1) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) <= hangs)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return StubHttpHandler.Json(HttpStatusCode.OK, MessageJson);
        }
    }

    [Fact]
    public async Task CreateMessage_NotFound_CarriesDiscordCodeAndHint()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.NotFound, """{"message":"Unknown Channel","code":10003}"""));
        var client = Clients.Rest(handler);

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));

        Assert.Equal(DiscordApiException.UnknownChannel, e.Code);
        Assert.Contains("Unknown Channel", e.Message);
    }

    [Fact]
    public async Task AnyRequest_AfterUnauthorized_StopsWithoutSending()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.Unauthorized, """{"message":"401: Unauthorized","code":0}"""));
        var client = Clients.Rest(handler);
        DiscordApiException? reported = null;
        client.TokenRejected += e => reported = e;

        await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));
        await Assert.ThrowsAsync<DiscordClientStoppedException>(() => client.GetGatewayBotAsync(CancellationToken.None));

        Assert.Equal(1, handler.Calls);
        Assert.NotNull(reported);
        Assert.True(client.Health.TokenRejected);
        Assert.False(client.Health.Healthy);
    }

    [Fact]
    public async Task AnyRequest_InvalidRequestBudgetSpent_RefusesToSend()
    {
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.Forbidden, """{"message":"Missing Access","code":50001}"""));
        var client = Clients.Rest(handler, configure: o => o.InvalidRequestLimit = 3);

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));
        }

        await Assert.ThrowsAsync<DiscordClientStoppedException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));
        Assert.Equal(3, handler.Calls);
        Assert.Equal(3, client.Health.InvalidRequestsLast10Minutes);
        Assert.True(client.Health.InvalidBudgetExhausted);
    }

    [Fact]
    public async Task CreateMessage_RetryAfterLongerThanMaxWait_ThrowsRateLimitedWithRetryAfter()
    {
        // The "shared" example of topics/rate-limits: Retry-After 1337 on a shared resource.
        var handler = new StubHttpHandler((_, _) => StubHttpHandler.Json(HttpStatusCode.TooManyRequests,
            """{"message":"You are being rate limited.","retry_after":1337,"global":false}""",
            ("Retry-After", "1337"), ("X-RateLimit-Limit", "10"), ("X-RateLimit-Remaining", "9"), ("X-RateLimit-Reset-After", "1337"),
            ("X-RateLimit-Scope", "shared"), ("X-RateLimit-Bucket", "abcd1234")));
        var client = Clients.Rest(handler);

        var e = await Assert.ThrowsAsync<DiscordRateLimitedException>(() => client.CreateMessageAsync(Channel, Message, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(1337), e.RetryAfter);
        Assert.False(e.Global);
        Assert.Equal(1, handler.Calls);
        // Shared-scope 429s do not count toward the invalid-request limit.
        Assert.Equal(0, client.Health.InvalidRequestsLast10Minutes);
    }
}
