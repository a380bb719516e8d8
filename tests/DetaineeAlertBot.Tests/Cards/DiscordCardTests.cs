using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>Case cards on Discord, end to end: the real bot (file source, SQLite file, outbox, dispatcher) against the fake
/// Discord server over loopback. The host's channel has no style set, so it gets the default: cards.</summary>
public sealed class DiscordCardTests
{
    private const string Case = "af-1";

    [Fact]
    public async Task ACaseChangingThreeTimes_GivesOneCardEditedToTheLastStatus_AndThreeRepliesPointingAtIt()
    {
        // Four changes within seconds would be flapping (Alerts:FlapThreshold 3, FlappingTests): this test is about edits.
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false", "--Alerts:FlapThreshold=0");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");

        await ChangeAsync(host, "charged", delivered: 1);
        var card = Assert.Single(host.Fake.Messages);
        foreach (var (status, delivered) in new[] { ("on_trial", 2), ("convicted", 3), ("sentenced", 4) }) await ChangeAsync(host, status, delivered);

        var messages = host.Fake.Messages;
        Assert.Equal(4, messages.Count);
        Assert.Null(messages[0].Reference);
        Assert.Equal(["History", "Acknowledge", "Mute 24h", "Update status"], Buttons(messages[0].Body));
        var replies = messages.Skip(1).ToArray();
        Assert.All(replies, reply => Assert.Equal(card.Id, (string?)reply.Reference!["message_id"]));
        Assert.All(replies, reply => Assert.Empty(reply.Body["allowed_mentions"]!["parse"]!.AsArray()));
        Assert.Equal(["Amir Amiry: Charged → On trial (Afghanistan) · source test", "Amir Amiry: On trial → Convicted (Afghanistan) · source test",
            "Amir Amiry: Convicted → Sentenced (Afghanistan) · source test"], replies.Select(r => Unescape((string?)r.Body["embeds"]![0]!["description"])));

        var edits = host.Fake.EditsOf(card.Id);
        Assert.Equal(3, edits.Count);
        Assert.All(edits, edit => Assert.Empty(edit.AllowedMentions!["parse"]!.AsArray()));
        var now = host.Fake.FindMessage(card.Id)!.Body;
        Assert.Equal("Amir Amiry — Sentenced", (string?)now["embeds"]![0]!["title"]);
        Assert.StartsWith("Sentenced since", Unescape((string?)now["embeds"]![0]!["description"]));
        Assert.Contains("previously Convicted", Unescape((string?)now["embeds"]![0]!["description"]));
        Assert.Equal(4, Buttons(now).Count); // the buttons survive every edit
    }

    [Theory]
    [InlineData(true)]  // the gateway's MESSAGE_DELETE says so at once
    [InlineData(false)] // only the failed edit (10008) tells
    public async Task TheCardDeletedByHand_ThenAChange_PostsANewCard(bool gateway)
    {
        await using var host = await DiscordHost.StartAsync(null, $"--Discord:UseGateway={gateway.ToString().ToLowerInvariant()}");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        if (gateway) await Eventually.TrueAsync(() => host.Fake.Gateway.HasReadyConnection(FakeDiscordServer.GuildMessagesIntent), because: "gateway identified");
        await ChangeAsync(host, "charged", delivered: 1);
        var first = Assert.Single(host.Fake.Messages);

        await host.Fake.DeleteMessageByHandAsync(DiscordHost.Channel, first.Id);
        if (gateway)
        {
            var cards = host.App.Services.GetRequiredService<DetaineeAlertBot.Core.Storage.ICardStore>();
            await Eventually.TrueAsync(async () => (await cards.FindAsync("discord", DiscordHost.Channel, new("test", Case), CancellationToken.None))?.MessageId is null,
                because: "MESSAGE_DELETE forgets the card");
        }
        await ChangeAsync(host, "released", delivered: 2);

        var second = Assert.Single(host.Fake.Messages);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Null(second.Reference);
        Assert.Equal("Amir Amiry — Released", (string?)second.Body["embeds"]![0]!["title"]);
        Assert.Equal(4, Buttons(second.Body).Count);
        Assert.Equal(gateway ? 0 : 1, host.Fake.Requests.Count(r => r.Method == "PATCH" && r.Status == 404));
    }

    [Fact]
    public async Task ACardDiscordWillNotEditAnyMore_30046_IsPostedAnew()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        await ChangeAsync(host, "charged", delivered: 1);
        var first = Assert.Single(host.Fake.Messages);
        host.Fake.FailNextEditsWithEditLimit(DiscordHost.Channel, 1);

        await ChangeAsync(host, "released", delivered: 2);

        Assert.Equal(2, host.Fake.Messages.Count);
        var second = host.Fake.Messages[1];
        Assert.Null(second.Reference);
        Assert.Equal("Amir Amiry — Released", (string?)second.Body["embeds"]![0]!["title"]);
        Assert.Equal("Amir Amiry — Charged", (string?)host.Fake.FindMessage(first.Id)!.Body["embeds"]![0]!["title"]);
    }

    [Fact]
    public async Task APlainChannel_GetsOneStandaloneMessagePerChange()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false", "--Watchlists:0:Style=plain");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");

        await ChangeAsync(host, "charged", delivered: 1);
        await ChangeAsync(host, "released", delivered: 2);

        Assert.Equal(2, host.Fake.Messages.Count);
        Assert.All(host.Fake.Messages, m => Assert.Null(m.Body["components"]));
        Assert.All(host.Fake.Messages, m => Assert.Null(m.Reference));
        Assert.Empty(host.Fake.Edits);
    }

    /// <summary>Writes af-1 with <paramref name="status"/> and waits until <paramref name="delivered"/> alerts are stored sent.</summary>
    internal static async Task ChangeAsync(DiscordHost host, string status, int delivered)
    {
        var feed = Path.Combine(host.Root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed((Case, "Amir Amiry", status), ("ir-2", "Amir Amini", "detained")));
        File.Move(feed + ".tmp", feed, overwrite: true);
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered), because: $"the change to {status} delivered");
    }

    internal static List<string> Buttons(JsonObject body) =>
        body["components"]?.AsArray().SelectMany(row => row!["components"]!.AsArray()).Select(b => (string)b!["label"]!).ToList() ?? [];

    /// <summary>Discord markdown escapes as the bot sends them, undone for reading.</summary>
    internal static string Unescape(string? text) => (text ?? "").Replace("\\", "", StringComparison.Ordinal);
}
