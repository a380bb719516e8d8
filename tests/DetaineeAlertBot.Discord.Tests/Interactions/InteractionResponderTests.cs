using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Interactions;

public sealed class InteractionResponderTests : IAsyncLifetime
{
    private FakeDiscordServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDiscordServer.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static Interaction Command(int type = InteractionType.ApplicationCommand) => new()
    {
        Id = "1300000000000000001",
        ApplicationId = FakeDiscordServer.DefaultApplicationId,
        Type = type,
        Token = "fake-interaction-token",
        Version = 1,
        Data = new InteractionData { Name = "case" },
    };

    private static InteractionResponse Reply(string text) => new()
    {
        Type = InteractionCallbackType.ChannelMessageWithSource,
        Data = new InteractionCallbackData { Content = text, Flags = MessageFlags.Ephemeral, AllowedMentions = AllowedMentions.None },
    };

    private InteractionResponder Responder(TimeSpan? deferAfter = null) =>
        new(Clients.Rest(_fake)) { DeferAfter = deferAfter ?? TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Respond_QuickHandlerOverHttp_ReturnsResponseInline()
    {
        var response = await Responder().RespondAsync(Command(), TimeProvider.System.GetTimestamp(), InteractionTransport.Http, true,
            _ => Task.FromResult(Reply("found")), CancellationToken.None);

        Assert.Equal("found", response!.Data!.Content);
        Assert.Empty(_fake.Callbacks);
    }

    [Fact]
    public async Task Respond_QuickHandlerOverGateway_PostsCallback()
    {
        var response = await Responder().RespondAsync(Command(), TimeProvider.System.GetTimestamp(), InteractionTransport.Gateway, true,
            _ => Task.FromResult(Reply("found")), CancellationToken.None);

        Assert.Null(response);
        var callback = Assert.Single(_fake.Callbacks);
        Assert.Equal("1300000000000000001", callback.Id);
        Assert.Equal(4, (int)callback.Json["type"]!);
        Assert.Equal("found", (string?)callback.Json["data"]!["content"]);
    }

    [Fact]
    public async Task Respond_SlowHandler_DefersThenEditsOriginal()
    {
        var release = new TaskCompletionSource<InteractionResponse>();

        var response = await Responder(TimeSpan.Zero).RespondAsync(Command(), TimeProvider.System.GetTimestamp(), InteractionTransport.Http, true,
            _ => release.Task, CancellationToken.None);

        Assert.Null(response);
        var deferral = Assert.Single(_fake.Callbacks);
        Assert.Equal(5, (int)deferral.Json["type"]!);
        Assert.Equal(64, (int)deferral.Json["data"]!["flags"]!);

        release.SetResult(Reply("slow answer"));
        await Eventually.TrueAsync(() => _fake.FollowUps.Count == 1, because: "PATCH @original");
        var edit = Assert.Single(_fake.FollowUps);
        Assert.Equal(FakeDiscordServer.DefaultApplicationId, edit.Id);
        Assert.Equal("fake-interaction-token", edit.Token);
        Assert.Equal("slow answer", (string?)edit.Json["content"]);
    }

    [Fact]
    public async Task Respond_HandlerThrows_EphemeralApologyNoStackTrace()
    {
        var response = await Responder().RespondAsync(Command(), TimeProvider.System.GetTimestamp(), InteractionTransport.Http, true,
            _ => throw new InvalidOperationException("database exploded at line 42"), CancellationToken.None);

        Assert.Equal(MessageFlags.Ephemeral, response!.Data!.Flags);
        Assert.DoesNotContain("exploded", response.Data.Content);
    }

    [Fact]
    public async Task Respond_Ping_Pong()
    {
        var response = await Responder().RespondAsync(Command(InteractionType.Ping), TimeProvider.System.GetTimestamp(), InteractionTransport.Http, true,
            _ => throw new InvalidOperationException("not called"), CancellationToken.None);

        Assert.Equal(InteractionCallbackType.Pong, response!.Type);
    }
}
