using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Rest;

/// <summary>The REST client against the in-process fake Discord: real HTTP, real headers, real 429s.</summary>
public sealed class FakeServerRestTests : IAsyncLifetime
{
    private const string Channel = "645027906669510667";
    private FakeDiscordServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDiscordServer.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static CreateMessageRequest Alert(int i) => new()
    {
        Embeds = [new Embed { Title = $"Case {i}", Description = "Detained -> Released" }],
        AllowedMentions = AllowedMentions.None,
        Nonce = $"alert-{i:D6}",
        EnforceNonce = true,
    };

    [Fact]
    public async Task CreateMessage_BurstToOneChannel_PacedByBucketWithoutTooManyRequests()
    {
        _fake.ChannelMessageLimit = 3;
        _fake.ChannelMessageWindow = TimeSpan.FromMilliseconds(400);
        var client = Clients.Rest(_fake);

        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.CreateMessageAsync(Channel, Alert(i), CancellationToken.None)));

        Assert.Equal(10, _fake.Messages.Count);
        Assert.Equal(0, _fake.RateLimitedCount);
    }

    [Fact]
    public async Task CreateMessage_SpreadOverChannels_GlobalGateAvoidsTooManyRequests()
    {
        _fake.GlobalLimitPerSecond = 4;
        var client = Clients.Rest(_fake, o => o.GlobalRequestsPerSecond = 4);
        var channels = Enumerable.Range(0, 4).Select(i => (645027906669510667 + i).ToString()).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => client.CreateMessageAsync(channels[i % 4], Alert(i), CancellationToken.None)));

        Assert.Equal(12, _fake.Messages.Count);
        Assert.Equal(0, _fake.RateLimitedCount);
    }

    [Fact]
    public async Task CreateMessage_UnexpectedTooManyRequests_RetriedOnce()
    {
        _fake.Script(new ScriptedResponse((m, p) => m == "POST" && p.EndsWith("/messages"), 429,
            """{"message":"You are being rate limited.","retry_after":0.2,"global":false}""",
            new Dictionary<string, string> { ["X-RateLimit-Scope"] = "user", ["X-RateLimit-Bucket"] = "b1" }));
        var client = Clients.Rest(_fake);

        var message = await client.CreateMessageAsync(Channel, Alert(1), CancellationToken.None);

        Assert.NotEmpty(message.Id);
        Assert.Equal(1, _fake.RateLimitedCount);
        Assert.Single(_fake.Messages);
    }

    [Fact]
    public async Task CreateMessage_SameNonceTwice_OneMessageSameId()
    {
        var client = Clients.Rest(_fake);

        var first = await client.CreateMessageAsync(Channel, Alert(7), CancellationToken.None);
        var again = await client.CreateMessageAsync(Channel, Alert(7), CancellationToken.None);

        Assert.Equal(first.Id, again.Id);
        Assert.Single(_fake.Messages);
    }

    [Fact]
    public async Task CreateMessage_UnknownChannel_NotFoundNotRetried()
    {
        _fake.UnknownChannels[Channel] = true;
        var client = Clients.Rest(_fake);

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, Alert(1), CancellationToken.None));

        Assert.Equal(DiscordApiException.UnknownChannel, e.Code);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task CreateMessage_EmbedOverLimit_InvalidFormBodyWithFlattenedErrors()
    {
        var client = Clients.Rest(_fake);
        var tooLong = new CreateMessageRequest { Embeds = [new Embed { Title = new string('x', 300) }], AllowedMentions = AllowedMentions.None };

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, tooLong, CancellationToken.None));

        Assert.Equal(DiscordApiException.InvalidFormBody, e.Code);
        Assert.Equal(["embeds[0].title[BASE_TYPE_MAX_LENGTH]: Must be 256 or fewer in length."], e.Errors);
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task AnyRequest_WrongToken_UnauthorizedAndStopped()
    {
        var client = Clients.Rest(_fake, o => o.BotToken = "fake-wrong-token");

        await Assert.ThrowsAsync<DiscordApiException>(() => client.GetGatewayBotAsync(CancellationToken.None));
        await Assert.ThrowsAsync<DiscordClientStoppedException>(() => client.CreateMessageAsync(Channel, Alert(1), CancellationToken.None));

        Assert.Single(_fake.Requests);
        Assert.True(client.Health.TokenRejected);
    }

    [Fact]
    public async Task GetGatewayBot_Always_ReturnsUrlAndSessionLimit()
    {
        var client = Clients.Rest(_fake);

        var bot = await client.GetGatewayBotAsync(CancellationToken.None);

        Assert.StartsWith("ws://127.0.0.1:", bot.Url);
        Assert.Equal(999, bot.SessionStartLimit!.Remaining);
        var request = Assert.Single(_fake.Requests);
        Assert.Equal("Bot fake-bot-token", request.Authorization);
        Assert.StartsWith("DiscordBot (", request.UserAgent);
    }

    [Fact]
    public async Task InteractionCallback_Always_SentWithoutBotAuthorization()
    {
        var client = Clients.Rest(_fake);

        await client.CreateInteractionResponseAsync("1300000000000000001", "fake-interaction-token",
            new InteractionResponse { Type = 4, Data = new InteractionCallbackData { Content = "hi", Flags = 64 } }, CancellationToken.None);

        var callback = Assert.Single(_fake.Callbacks);
        Assert.Equal(4, (int)callback.Json["type"]!);
        Assert.Null(Assert.Single(_fake.Requests).Authorization);
        Assert.Equal(64, (int)callback.Json["data"]!["flags"]!);
        Assert.IsType<JsonObject>(callback.Json["data"]);
    }
    [Fact]
    public async Task GetChannelMessages_PagesNewestFirstWithBeforeAndLimit()
    {
        var client = Clients.Rest(_fake);
        var sent = new List<string>();
        for (var i = 0; i < 5; i++) sent.Add((await client.CreateMessageAsync(Channel, Alert(i), CancellationToken.None)).Id);
        await client.CreateMessageAsync("645027906669510668", Alert(9), CancellationToken.None);

        var first = await client.GetChannelMessagesAsync(Channel, null, 3, CancellationToken.None);
        var second = await client.GetChannelMessagesAsync(Channel, first[^1].Id, 3, CancellationToken.None);

        Assert.Equal([sent[4], sent[3], sent[2]], first.Select(m => m.Id));
        Assert.Equal([sent[1], sent[0]], second.Select(m => m.Id));
        Assert.All(first.Concat(second), m => Assert.Equal(FakeDiscordServer.DefaultApplicationId, m.Author?.Id));
        Assert.Equal("Case 4", first[0].Embeds?.Single().Title);
        Assert.NotNull(first[0].Timestamp);
        Assert.Contains(_fake.Requests, r => r.Method == "GET" && r.Path == $"/api/v10/channels/{Channel}/messages");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task GetChannelMessages_LimitOutsideOneToHundred_RefusedBeforeSending(int limit)
    {
        var client = Clients.Rest(_fake);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetChannelMessagesAsync(Channel, null, limit, CancellationToken.None));
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task GetCurrentUser_ReturnsTheBotUser()
    {
        var user = await Clients.Rest(_fake).GetCurrentUserAsync(CancellationToken.None);

        Assert.Equal(FakeDiscordServer.DefaultApplicationId, user.Id);
        Assert.True(user.Bot);
    }
}
