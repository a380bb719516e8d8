using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>The case card's buttons on Discord, clicked over the gateway and over the signed HTTP endpoint: the same
/// boundary and admin rules as commands, the answer within Discord's 3 s (the fake refuses late ones).</summary>
public sealed class DiscordCardButtonTests
{
    private const string Member = "3072"; // View Channel + Send Messages: no admin bit, no admin role

    [Fact]
    public async Task Buttons_OverTheGateway_HistoryIsPrivate_AcknowledgeIsForAnyone_MuteIsForAdmins_AndAMutedCaseIsWithheld()
    {
        await using var host = await DiscordHost.StartAsync(null);
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        await Eventually.TrueAsync(() => host.Fake.Gateway.HasReadyConnection(FakeGateway.GuildsIntent), because: "gateway identified");
        await DiscordCardTests.ChangeAsync(host, "charged", delivered: 1);
        var card = Assert.Single(host.Fake.Messages);
        string Button(string label) => ButtonId(host.Fake.FindMessage(card.Id)!.Body, label);

        var history = await ClickAsync(host, card.Id, Button("History"), Member, userId: "900000000000000001");
        Assert.Equal(4, (int)history["type"]!);
        Assert.Equal(64, (int)history["data"]!["flags"]!);
        Assert.Contains("Charged", history["data"]!.ToJsonString(), StringComparison.Ordinal);

        var acknowledged = await ClickAsync(host, card.Id, Button("Acknowledge"), Member, userId: "900000000000000001");
        Assert.Equal(7, (int)acknowledged["type"]!);
        Assert.Contains("Acknowledged by Someone", Description(acknowledged["data"]!), StringComparison.Ordinal);
        Assert.Contains("Undo acknowledge", Labels(acknowledged["data"]!));
        Assert.Contains("Acknowledged by Someone", Description(host.Fake.FindMessage(card.Id)!.Body), StringComparison.Ordinal);

        var notTheirs = await ClickAsync(host, card.Id, Button("Undo acknowledge"), Member, userId: "900000000000000002");
        Assert.Equal(64, (int)notTheirs["data"]!["flags"]!);
        Assert.Contains("Only Someone", notTheirs["data"]!.ToJsonString(), StringComparison.Ordinal);

        var refused = await ClickAsync(host, card.Id, Button("Mute 24h"), Member, userId: "900000000000000001");
        Assert.Equal(64, (int)refused["data"]!["flags"]!);
        Assert.Contains(CardClicks.AdminRefusal.Split(' ')[0], refused["data"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Amir", refused["data"]!.ToJsonString(), StringComparison.Ordinal); // a refusal names nobody

        var muted = await ClickAsync(host, card.Id, Button("Mute 24h"), Member, roles: [DiscordHost.AdminRole]);
        Assert.Equal(7, (int)muted["type"]!);
        Assert.Contains("Muted in this channel until", Description(muted["data"]!), StringComparison.Ordinal);
        Assert.Contains("Unmute", Labels(muted["data"]!));

        var editsBefore = host.Fake.Edits.Count;
        await DiscordCardTests.ChangeAsync(host, "released", delivered: 2);
        Assert.Single(host.Fake.Messages); // withheld: no reply
        Assert.Equal(editsBefore, host.Fake.Edits.Count); // and no edit

        var unmuted = await ClickAsync(host, card.Id, Button("Unmute"), Member, roles: [DiscordHost.AdminRole]);
        Assert.Contains("Mute 24h", Labels(unmuted["data"]!));
        // The mute ended: one summary of what was withheld, in the channel.
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 3), because: "the mute's summary posted");
        var summary = Assert.Single(host.Fake.Messages, m => m.Id != card.Id).Body["embeds"]![0]!;
        Assert.StartsWith("While Amir Amiry was muted", DiscordCardTests.Unescape((string?)summary["title"]), StringComparison.Ordinal);
        Assert.StartsWith("Amir Amiry: Charged → Released", DiscordCardTests.Unescape((string?)summary["description"]), StringComparison.Ordinal);
        await DiscordCardTests.ChangeAsync(host, "deceased", delivered: 4);
        Assert.Equal(3, host.Fake.Messages.Count);
        Assert.Equal(card.Id, (string?)host.Fake.Messages[2].Reference!["message_id"]);
    }

    [Fact]
    public async Task Buttons_OverHttp_AnsweredInline_AndACardIdFromAnotherChannelLeadsNowhere()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        await DiscordCardTests.ChangeAsync(host, "charged", delivered: 1);
        var card = Assert.Single(host.Fake.Messages);
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");
        var acknowledge = ButtonId(card.Body, "Acknowledge");

        var exchange = await host.Fake.PostInteractionAsync(endpoint, host.Fake.ComponentInteraction(DiscordHost.Channel, card.Id, acknowledge, Member));
        Assert.Equal(200, exchange.HttpStatus);
        Assert.Null(exchange.InlineRejection);
        Assert.Equal(7, exchange.InitialType);
        Assert.Contains("Acknowledged by Someone", Description(host.Fake.FindMessage(card.Id)!.Body), StringComparison.Ordinal);

        // The same button id clicked on a message of another channel (say, copied into a forged interaction).
        var elsewhere = host.Fake.PostAsUser("645027906669519999", "900000000000000009", new JsonObject { ["content"] = "hi" });
        var forged = host.Fake.ComponentInteraction("645027906669519999", elsewhere.Id, acknowledge, Member);
        var answer = await host.Fake.PostInteractionAsync(endpoint, forged);
        var body = await answer.Callback;
        Assert.Equal(4, (int)body["type"]!);
        Assert.Equal(64, (int)body["data"]!["flags"]!);
        Assert.DoesNotContain("Amir", body.ToJsonString(), StringComparison.Ordinal);
    }

    private static async Task<JsonObject> ClickAsync(DiscordHost host, string messageId, string customId, string permissions, string[]? roles = null,
        string userId = "80351110224678912")
    {
        var exchange = await host.Fake.SendInteractionAsync(host.Fake.ComponentInteraction(DiscordHost.Channel, messageId, customId, permissions, roles, userId));
        return await exchange.Callback.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static string ButtonId(JsonNode body, string label) =>
        body["components"]!.AsArray().SelectMany(row => row!["components"]!.AsArray()).First(b => (string?)b!["label"] == label)!["custom_id"]!.GetValue<string>();

    private static List<string> Labels(JsonNode data) => DiscordCardTests.Buttons(data.AsObject());

    private static string Description(JsonNode body) => DiscordCardTests.Unescape((string?)body["embeds"]![0]!["description"]);
}
