using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Discord.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Discord.Tests.Interactions;

/// <summary>
/// Discord's interaction rules as the fake enforces them (3 s to the initial response, else 10062; one initial response,
/// else 40060), with the fake, the REST client and the responder on one fake clock: nothing here waits real seconds.
/// </summary>
public sealed class InteractionDeadlineTests : IAsyncLifetime
{
    private const string InteractionId = "1300000000000000042";
    private readonly FakeTimeProvider _time = new();
    private FakeDiscordServer _fake = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscordServer.StartAsync();
        _fake.Clock = _time;
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static Interaction Command() => new()
    {
        Id = InteractionId,
        ApplicationId = FakeDiscordServer.DefaultApplicationId,
        Type = InteractionType.ApplicationCommand,
        Token = "fake-interaction-token",
        Version = 1,
        Data = new InteractionData { Name = "case" },
    };

    private static InteractionResponse Reply(string text) => new()
    {
        Type = InteractionCallbackType.ChannelMessageWithSource,
        Data = new InteractionCallbackData { Content = text, AllowedMentions = AllowedMentions.None },
    };

    private IEnumerable<RecordedRequest> CallbackRequests =>
        _fake.Requests.Where(r => r.Path == $"/api/v10/interactions/{InteractionId}/fake-interaction-token/callback");

    [Fact]
    public async Task SlowerThanThreeSeconds_DeferredInTime_ThenEditedWithoutSecondCallback()
    {
        var rest = Clients.Rest(_fake, time: _time);
        var responder = new InteractionResponder(rest, time: _time);
        var release = new TaskCompletionSource<InteractionResponse>();
        _fake.InteractionDelivered(InteractionId);

        // The responder arms its defer timer before RespondAsync returns its task.
        var responding = responder.RespondAsync(Command(), _time.GetTimestamp(), InteractionTransport.Gateway, false, _ => release.Task, CancellationToken.None);
        _time.Advance(responder.DeferAfter);
        Assert.Null(await responding.WaitAsync(TimeSpan.FromSeconds(30)));

        // The handler takes longer than Discord's 3 s; its answer goes to @original, not to a second callback.
        _time.Advance(TimeSpan.FromSeconds(5));
        release.SetResult(Reply("slow answer"));
        await Eventually.WaitUntilAsync(() => _fake.FollowUps.Count == 1, "PATCH @original");

        var deferral = Assert.Single(_fake.Callbacks);
        Assert.Equal(InteractionCallbackType.DeferredChannelMessageWithSource, (int)deferral.Json["type"]!);
        Assert.Equal(204, Assert.Single(CallbackRequests).Status);
        Assert.Equal("slow answer", (string?)_fake.FollowUps[0].Json["content"]);
    }

    [Fact]
    public async Task CallbackAfterDeadline_UnknownInteraction10062()
    {
        var rest = Clients.Rest(_fake, time: _time);
        _fake.InteractionDelivered(InteractionId);
        _time.Advance(_fake.InteractionDeadline + TimeSpan.FromMilliseconds(1));

        var e = await Assert.ThrowsAsync<DiscordApiException>(() =>
            rest.CreateInteractionResponseAsync(InteractionId, "fake-interaction-token", Reply("late"), CancellationToken.None));

        Assert.Equal(DiscordApiException.UnknownInteraction, e.Code);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.Status);
        Assert.Empty(_fake.Callbacks);
    }

    [Fact]
    public async Task CallbackJustInsideDeadline_Accepted()
    {
        var rest = Clients.Rest(_fake, time: _time);
        _fake.InteractionDelivered(InteractionId);
        _time.Advance(_fake.InteractionDeadline);

        await rest.CreateInteractionResponseAsync(InteractionId, "fake-interaction-token", Reply("in time"), CancellationToken.None);

        Assert.Single(_fake.Callbacks);
    }

    [Fact]
    public async Task SecondCallback_AlreadyAcknowledged40060()
    {
        var rest = Clients.Rest(_fake, time: _time);
        await rest.CreateInteractionResponseAsync(InteractionId, "fake-interaction-token", Reply("first"), CancellationToken.None);

        var e = await Assert.ThrowsAsync<DiscordApiException>(() =>
            rest.CreateInteractionResponseAsync(InteractionId, "fake-interaction-token", Reply("second"), CancellationToken.None));

        Assert.Equal(DiscordApiException.InteractionAlreadyAcknowledged, e.Code);
        Assert.Equal("first", (string?)Assert.Single(_fake.Callbacks).Json["data"]!["content"]);
    }

    [Fact]
    public async Task GatewayDispatch_StartsTheDeadline()
    {
        var rest = Clients.Rest(_fake, time: _time);
        await _fake.Gateway.DispatchAsync("INTERACTION_CREATE", new System.Text.Json.Nodes.JsonObject { ["id"] = InteractionId, ["type"] = 2 });
        _time.Advance(TimeSpan.FromSeconds(4));

        var e = await Assert.ThrowsAsync<DiscordApiException>(() =>
            rest.CreateInteractionResponseAsync(InteractionId, "fake-interaction-token", Reply("late"), CancellationToken.None));

        Assert.Equal(DiscordApiException.UnknownInteraction, e.Code);
    }
}
