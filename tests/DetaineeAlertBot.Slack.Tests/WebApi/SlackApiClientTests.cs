using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack.Tests.WebApi;

public sealed class SlackApiClientTests : FakeSlackTest
{
    private static readonly ChatPostMessageRequest Hello = new("C111", "hello") { UnfurlLinks = false, UnfurlMedia = false };

    [Fact]
    public async Task PostMessage_Ok_ReturnsChannelAndTs()
    {
        var client = CreateClient();

        var posted = await client.PostMessageAsync(Hello with
        {
            Metadata = new MessageMetadata("detainee_alert", new Dictionary<string, string> { ["delivery_id"] = "d-1" }),
        }, CancellationToken.None);

        Assert.Equal("C111", posted.Channel);
        var message = Assert.Single(Slack.Messages);
        Assert.Equal(message.Ts, posted.Ts);
        Assert.Equal("d-1", message.Body.GetProperty("metadata").GetProperty("event_payload").GetProperty("delivery_id").GetString());
        Assert.False(message.Body.GetProperty("unfurl_links").GetBoolean());
    }

    [Fact]
    public async Task AuthTest_ValidToken_ReturnsBotIdentity()
    {
        var result = await CreateClient().AuthTestAsync(CancellationToken.None);

        Assert.Equal("T111", result.TeamId);
        Assert.Equal("U0BOT", result.UserId);
    }

    [Fact]
    public async Task AuthTest_WrongToken_IsConfigurationErrorNamingTheKey()
    {
        var client = CreateClient(o => o.BotToken = "xoxb-fake-wrong-token");

        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.AuthTestAsync(CancellationToken.None));

        Assert.Equal("invalid_auth", e.Error);
        Assert.Equal(SlackErrorClass.Configuration, e.ErrorClass);
        Assert.Contains("Slack:BotToken", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, Slack.Calls("auth.test"));
    }

    [Theory]
    // HTTP 200 with ok:false is still a failure, classified once.
    [InlineData("channel_not_found", SlackErrorClass.Configuration)]
    [InlineData("not_in_channel", SlackErrorClass.Configuration)]
    [InlineData("missing_scope", SlackErrorClass.Configuration)]
    [InlineData("invalid_auth", SlackErrorClass.Configuration)]
    [InlineData("token_revoked", SlackErrorClass.Configuration)]
    [InlineData("is_archived", SlackErrorClass.Configuration)]
    [InlineData("invalid_blocks", SlackErrorClass.BadPayload)]
    [InlineData("msg_blocks_too_long", SlackErrorClass.BadPayload)]
    [InlineData("msg_too_long", SlackErrorClass.BadPayload)]
    [InlineData("no_text", SlackErrorClass.BadPayload)]
    [InlineData("some_error_added_next_year", SlackErrorClass.BadPayload)]
    [InlineData("internal_error", SlackErrorClass.Retryable)]
    [InlineData("service_unavailable", SlackErrorClass.Retryable)]
    public async Task PostMessage_OkFalse_IsClassifiedAndNotRetried(string error, SlackErrorClass expected)
    {
        Slack.Enqueue("chat.postMessage", FakeResponse.Error(error));
        var client = CreateClient();

        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Hello, CancellationToken.None));

        Assert.Equal(error, e.Error);
        Assert.Equal(expected, e.ErrorClass);
        // A post is never blindly resent: a second chat.postMessage could double-post.
        Assert.Equal(1, Slack.Calls("chat.postMessage"));
        Assert.Empty(Slack.Messages);
    }

    [Fact]
    public async Task PostMessage_MissingScope_DetailsCarryNeededAndProvided()
    {
        Slack.Enqueue("chat.postMessage", FakeResponse.Error("missing_scope", "\"needed\":\"chat:write\",\"provided\":\"users:read\""));

        var e = await Assert.ThrowsAsync<SlackApiException>(() => CreateClient().PostMessageAsync(Hello, CancellationToken.None));

        Assert.Contains("needed: chat:write; provided: users:read", e.Details);
        Assert.Contains("chat:write", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostMessage_InvalidBlocksFromFake_DetailsAreSlacksMessagesVerbatim()
    {
        var tooLong = new SectionBlock { Text = new TextObject("mrkdwn", new string('x', 3001)) };

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().PostMessageAsync(Hello with { Blocks = [tooLong] }, CancellationToken.None));

        Assert.Equal("invalid_blocks", e.Error);
        Assert.Equal(SlackErrorClass.BadPayload, e.ErrorClass);
        Assert.Contains("[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]", e.Details);
    }

    [Fact]
    public async Task PostMessage_UnknownChannel_ChannelNotFoundFromFake()
    {
        Slack.Channels["C111"] = true;

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().PostMessageAsync(Hello with { Channel = "C999" }, CancellationToken.None));

        Assert.Equal("channel_not_found", e.Error);
        Assert.Equal(SlackErrorClass.Configuration, e.ErrorClass);
    }

    /// <summary>The waits these tests look for are a few seconds; the client's request timeouts are 15 s.</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task PostMessage_429WithRetryAfter_WaitsOnTheClockAndSucceeds()
    {
        Slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(1));
        var time = new WaitAwareTimeProvider();
        var client = CreateClient(time: time);
        var started = time.GetUtcNow();

        var posting = client.PostMessageAsync(Hello, CancellationToken.None);
        // Retry-After: 1 is honoured on the client's clock: it waits at least 1 s (plus jitter) before the second call.
        // Within 5 s: the 15 s request timeout, also armed on this clock, is not the wait we are after.
        Assert.InRange(await time.WaitForTimerAsync(Horizon, because: "the client waiting out Retry-After"), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(1, Slack.Calls("chat.postMessage"));
        await time.RunUntilDoneAsync(posting, Horizon);
        var posted = await posting;

        Assert.Equal(2, Slack.Calls("chat.postMessage"));
        Assert.Single(Slack.Messages);
        Assert.Equal(posted.Ts, Slack.Messages[0].Ts);
        Assert.True(time.GetUtcNow() - started >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Read_ServerError_RetriedAfterBackoffOnTheClock()
    {
        Slack.Enqueue("auth.test", FakeResponse.Html(503));
        var time = new WaitAwareTimeProvider();
        var client = CreateClient(o => o.RetryBackoff = TimeSpan.FromSeconds(1), time);

        var calling = client.AuthTestAsync(CancellationToken.None);
        // First failure: Backoff's 1 s ± 20% (within 5 s: not the 15 s request timeout on the same clock).
        Assert.InRange(await time.WaitForTimerAsync(Horizon, because: "the client backing off after the 503"), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1200));
        Assert.Equal(1, Slack.Calls("auth.test"));
        await time.RunUntilDoneAsync(calling, Horizon);

        Assert.Equal(2, Slack.Calls("auth.test"));
    }

    [Fact]
    public async Task PostMessage_429Forever_GivesUpAfterMaxAttemptsAsRetryable()
    {
        for (var i = 0; i < 5; i++)
        {
            Slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(0));
        }

        var client = CreateClient(o => o.MaxAttempts = 3);

        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Hello, CancellationToken.None));

        Assert.Equal("ratelimited", e.Error);
        Assert.Equal(SlackErrorClass.Retryable, e.ErrorClass);
        Assert.Equal(3, Slack.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task PostMessage_RetryAfterLongerThanCap_FailsAtOnceWithRetryAfter()
    {
        Slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(120));
        var client = CreateClient(o => o.MaxRetryAfter = TimeSpan.FromSeconds(30));

        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.PostMessageAsync(Hello, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(120), e.RetryAfter);
        Assert.Equal(1, Slack.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task PostMessage_ServerErrorPage_IsRetryableAndNotResent()
    {
        Slack.Enqueue("chat.postMessage", FakeResponse.Html(503));

        var e = await Assert.ThrowsAsync<SlackApiException>(() => CreateClient().PostMessageAsync(Hello, CancellationToken.None));

        Assert.Equal("http_503", e.Error);
        Assert.Equal(SlackErrorClass.Retryable, e.ErrorClass);
        Assert.Equal(1, Slack.Calls("chat.postMessage"));
    }

    [Fact]
    public async Task AuthTest_ServerErrorThenOk_IsRetriedBecauseItIsReadOnly()
    {
        Slack.Enqueue("auth.test", FakeResponse.Html(500));

        var result = await CreateClient().AuthTestAsync(CancellationToken.None);

        Assert.Equal("T111", result.TeamId);
        Assert.Equal(2, Slack.Calls("auth.test"));
    }

    [Fact]
    public async Task AuthTest_WrongBaseUrl_IsConfigurationError()
    {
        var client = CreateClient(o => o.BaseUrl = Slack.ApiBaseUrl.Replace("/api/", "/nope/", StringComparison.Ordinal));

        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.AuthTestAsync(CancellationToken.None));

        Assert.Equal(SlackErrorClass.Configuration, e.ErrorClass);
        Assert.Contains("Slack:ApiBaseUrl", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostMessage_OkWithWarning_Succeeds()
    {
        Slack.Enqueue("chat.postMessage", FakeResponse.Ok("""{"ok":true,"channel":"C111","ts":"1.2","warning":"missing_charset","response_metadata":{"warnings":["missing_charset"]}}"""));

        var posted = await CreateClient().PostMessageAsync(Hello, CancellationToken.None);

        Assert.Equal("1.2", posted.Ts);
    }

    [Fact]
    public async Task PostMessage_BurstToOneChannel_IsPacedWithoutAny429()
    {
        // The fake allows one message per 150 ms; the client paces at 700 ms, so only a request that took over a
        // second could arrive early. Without pacing, five concurrent posts would collect four 429s.
        Slack.PerChannelInterval = TimeSpan.FromMilliseconds(150);
        var client = CreateClient(o => o.ChannelMessageInterval = TimeSpan.FromMilliseconds(700));

        var posts = Enumerable.Range(0, 5).Select(i => client.PostMessageAsync(Hello with { Text = $"m{i}" }, CancellationToken.None));
        await Task.WhenAll(posts);

        Assert.Equal(5, Slack.Messages.Count);
        Assert.Equal(0, Slack.RateLimitedCount);
        // Paced in order: first come, first served.
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], Slack.Messages.Select(m => m.Body.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task FakeSlack_TwoPostsWithinInterval_SecondGets429WithRetryAfter()
    {
        Slack.PerChannelInterval = TimeSpan.FromSeconds(30);

        using var first = await RawPostAsync("C111");
        using var second = await RawPostAsync("C111");
        using var otherChannel = await RawPostAsync("C222");

        Assert.Equal(System.Net.HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.True(second.Headers.RetryAfter!.Delta > TimeSpan.Zero);
        Assert.Contains("\"error\":\"ratelimited\"", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, otherChannel.StatusCode);
    }

    [Fact]
    public async Task GetUser_Admin_ReturnsFlags()
    {
        Slack.AddUser(new FakeUser("U1", IsAdmin: true));
        Slack.AddUser(new FakeUser("U2", IsOwner: true, IsRestricted: true));
        var client = CreateClient();

        var admin = await client.GetUserAsync("U1", CancellationToken.None);
        var guestOwner = await client.GetUserAsync("U2", CancellationToken.None);

        Assert.True(admin.IsWorkspaceAdmin);
        Assert.False(guestOwner.IsWorkspaceAdmin);
    }

    [Fact]
    public async Task GetUser_Unknown_IsBadPayload()
    {
        Slack.UnknownUsersAreMembers = false;
        var e = await Assert.ThrowsAsync<SlackApiException>(() => CreateClient().GetUserAsync("U404", CancellationToken.None));

        Assert.Equal("user_not_found", e.Error);
    }

    [Fact]
    public async Task OpenSocketModeUrl_BotTokenInsteadOfAppToken_IsConfigurationError()
    {
        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().OpenSocketModeUrlAsync(FakeSlackServer.DefaultBotToken, CancellationToken.None));

        Assert.Equal("not_allowed_token_type", e.Error);
        Assert.Equal(SlackErrorClass.Configuration, e.ErrorClass);
    }

    private async Task<HttpResponseMessage> RawPostAsync(string channel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Slack.ApiBaseUrl + "chat.postMessage")
        {
            Content = new StringContent($$"""{"channel":"{{channel}}","text":"hi"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FakeSlackServer.DefaultBotToken);
        return await Http.SendAsync(request);
    }

    [Fact]
    public async Task Respond_ToResponseUrl_PostsJsonAndAcceptsPlainOk()
    {
        var url = Slack.NewResponseUrl();

        await CreateClient().RespondAsync(url, new SlashCommandResponse("done"), CancellationToken.None);

        var post = Assert.Single(Slack.ResponseUrlPosts);
        Assert.Equal("done", post.GetProperty("text").GetString());
        Assert.Equal("ephemeral", post.GetProperty("response_type").GetString());
    }
}
