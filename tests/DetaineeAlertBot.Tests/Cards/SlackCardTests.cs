using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Tests.Slack;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>Case cards on Slack, end to end: the real bot against the fake Slack Web API over loopback. The channel has no
/// style set, so it gets the default: cards.</summary>
public sealed class SlackCardTests
{
    private const string Channel = "C111";

    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1" } ]
        }
        """;

    [Fact]
    public async Task ACaseChangingThreeTimes_GivesOneCardEditedToTheLastStatus_AndThreeBroadcastThreadReplies()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        // Four changes within seconds would be flapping (Alerts:FlapThreshold 3, FlappingTests): this test is about edits.
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: false, "--Alerts:FlapThreshold=0");
        await host.WaitForCasesAsync();

        await ChangeAsync(host, root, "charged", delivered: 1);
        var card = Assert.Single(host.Slack.Messages);
        foreach (var (status, delivered) in new[] { ("on_trial", 2), ("convicted", 3), ("sentenced", 4) }) await ChangeAsync(host, root, status, delivered);

        Assert.Equal(["History", "Acknowledge", "Mute 24h", "Update status", "Source"], Buttons(card.Body.GetProperty("blocks")));
        Assert.Null(card.ThreadTs);
        var replies = host.Slack.ThreadReplies(Channel, card.Ts);
        Assert.Equal(3, replies.Count);
        Assert.All(replies, reply => Assert.True(reply.ReplyBroadcast));
        Assert.Equal(["Amir Amiry: Charged → On trial (Afghanistan) · source test", "Amir Amiry: On trial → Convicted (Afghanistan) · source test",
            "Amir Amiry: Convicted → Sentenced (Afghanistan) · source test"], replies.Select(r => r.Text));
        Assert.Equal(4, host.Slack.ChannelMessages(Channel).Count); // the card and the three broadcast replies, nothing else

        var edits = host.Slack.Edits.Where(e => e.Ts == card.Ts).ToArray();
        Assert.Equal(3, edits.Length);
        Assert.All(edits, edit => Assert.True(edit.Body.TryGetProperty("blocks", out _), "an edit without blocks would wipe them"));
        var now = host.Slack.Message(Channel, card.Ts)!;
        var blocks = now.Blocks!.Value;
        Assert.Equal("Amir Amiry — Sentenced", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Contains("previously Convicted", blocks[1].GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(5, Buttons(blocks).Count);
    }

    [Fact]
    public async Task TheCardDeletedByHand_ThenAChange_PostsANewCard()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: false);
        await host.WaitForCasesAsync();
        await ChangeAsync(host, root, "charged", delivered: 1);
        var first = Assert.Single(host.Slack.Messages);

        Assert.True(host.Slack.DeleteMessage(Channel, first.Ts));
        await ChangeAsync(host, root, "released", delivered: 2);

        var visible = host.Slack.ChannelMessages(Channel);
        var second = Assert.Single(visible);
        Assert.NotEqual(first.Ts, second.Ts);
        Assert.Null(second.ThreadTs);
        Assert.Equal("Amir Amiry — Released", second.Blocks!.Value[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Empty(host.Slack.ThreadReplies(Channel, first.Ts));
    }

    [Fact]
    public async Task ACardSlackWillNotEditAnyMore_IsPostedAnew()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: false);
        await host.WaitForCasesAsync();
        await ChangeAsync(host, root, "charged", delivered: 1);
        var first = Assert.Single(host.Slack.Messages);
        host.Slack.CloseEditWindow(Channel, first.Ts);

        await ChangeAsync(host, root, "released", delivered: 2);

        var visible = host.Slack.ChannelMessages(Channel);
        Assert.Equal(2, visible.Count);
        Assert.Null(visible[1].ThreadTs);
        Assert.Equal("Amir Amiry — Released", visible[1].Blocks!.Value[0].GetProperty("text").GetProperty("text").GetString());
    }

    private static async Task ChangeAsync(SlackHost host, string root, string status, int delivered)
    {
        SlackHost.ReplaceFeed(root, Feed(status));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered), because: $"the change to {status} delivered");
    }

    private static List<string> Buttons(JsonElement blocks) =>
        blocks.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray()).Select(e => e.GetProperty("text").GetProperty("text").GetString()!).ToList();

    private static string Feed(string status) =>
        $$"""{"cases":[{"id":"af-1","name":"Amir Amiry","status":"{{status}}","country":"Afghanistan","sourceUrl":"https://example.org/af-1"}]}""";
}
