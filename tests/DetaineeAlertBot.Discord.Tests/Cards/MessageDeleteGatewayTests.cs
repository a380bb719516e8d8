using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Cards;

/// <summary>MESSAGE_DELETE reaches the bot only when it identified with GUILD_MESSAGES (gateway.mdx §List of Intents).</summary>
public sealed class MessageDeleteGatewayTests : IAsyncLifetime
{
    private const string Channel = "645027906669510667";
    private FakeDiscordServer _fake = null!;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<GatewayDispatch> _dispatches = new();

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscordServer.StartAsync();
        _fake.Gateway.HeartbeatIntervalMs = 1000;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await _fake.DisposeAsync();
    }

    private async Task<DiscordGatewayClient> StartAsync(int intents)
    {
        var client = Clients.Gateway(_fake, Clients.Rest(_fake), o =>
        {
            o.Intents = intents;
            o.DispatchConcurrency = 1; // in order, so "the marker came and the delete did not" means it was not sent
        });
        client.DispatchHandler = (d, _) =>
        {
            _dispatches.Enqueue(d);
            return Task.CompletedTask;
        };
        _ = Task.Run(() => client.RunAsync(_stop.Token));
        await Eventually.WaitUntilAsync(() => client.Status.State == GatewayState.Ready, "READY");
        return client;
    }

    private async Task<string> CardAsync() =>
        (await Clients.Rest(_fake).CreateMessageAsync(Channel, new CreateMessageRequest { Content = "card", AllowedMentions = AllowedMentions.None }, CancellationToken.None)).Id;

    [Fact]
    public async Task DeleteByHand_WithGuildMessages_TypedEventArrives()
    {
        await StartAsync(GatewayIntents.Guilds | GatewayIntents.GuildMessages);
        var card = await CardAsync();
        var other = await CardAsync();

        await _fake.DeleteMessageByHandAsync(Channel, card);
        await _fake.DeleteMessagesByHandAsync(Channel, [other]);

        await Eventually.WaitUntilAsync(() => _dispatches.Any(d => d.EventName == GatewayEvents.MessageDeleteBulk), "MESSAGE_DELETE_BULK");
        var one = DiscordJson.ParseMessageDelete(_dispatches.Single(d => d.EventName == GatewayEvents.MessageDelete).Data)!;
        Assert.Equal((card, Channel, FakeDiscordServer.DefaultGuildId), (one.Id, one.ChannelId, one.GuildId));
        var bulk = _dispatches.Single(d => d.EventName == GatewayEvents.MessageDeleteBulk);
        Assert.Equal([other], DiscordJson.ParseDeletedMessages(bulk.EventName, bulk.Data)!.Value.MessageIds);
    }

    [Fact]
    public async Task DeleteByHand_GuildsOnly_NotSent()
    {
        await StartAsync(GatewayIntents.Guilds);
        var card = await CardAsync();

        await _fake.DeleteMessageByHandAsync(Channel, card);
        // A dispatch every session gets, sent after the delete on the same socket: once it is handled, the delete would have been too.
        await _fake.Gateway.DispatchAsync("MARKER", new JsonObject());

        await Eventually.WaitUntilAsync(() => _dispatches.Any(d => d.EventName == "MARKER"), "the marker dispatch");
        Assert.DoesNotContain(_dispatches, d => d.EventName.StartsWith("MESSAGE_DELETE", StringComparison.Ordinal));
        Assert.Null(_fake.FindMessage(card));
    }
}
