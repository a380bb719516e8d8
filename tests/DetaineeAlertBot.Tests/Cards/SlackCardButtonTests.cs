using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Tests.Slack;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>The case card's buttons on Slack: block_actions over Socket Mode and over the signed POST /slack/interactions,
/// through the same boundary and admin rules as commands.</summary>
public sealed class SlackCardButtonTests
{
    private const string Channel = "C111";

    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1" } ]
        }
        """;

    [Fact]
    public async Task Buttons_OverSocketMode_AcknowledgeEditsTheCard_HistoryIsPrivate_MuteIsRefusedToAMemberAndDoneForAnAdmin()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: true, httpCommands: false);
        await host.WaitForCasesAsync();
        var socket = await host.Slack.WaitForSocketAsync(0, TimeSpan.FromSeconds(30));
        SlackHost.ReplaceFeed(root, Feed("charged"));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, 1), because: "card posted");
        var card = Assert.Single(host.Slack.Messages);

        await socket.SendInteractiveAsync("env-ack", host.Slack.BlockActions(card, ActionId(host, card, "Acknowledge"), userId: "U111"));
        await Eventually.TrueAsync(() => SectionText(host, card).Contains("Acknowledged by", StringComparison.Ordinal), because: "the card shows the acknowledgement");

        var history = host.Slack.BlockActions(card, ActionId(host, card, "History"), userId: "U111");
        await socket.SendInteractiveAsync("env-history", history);
        var answer = await host.Slack.WaitForResponseUrlPostAsync(history.ResponseUrl!, TimeSpan.FromSeconds(10));
        Assert.Equal("ephemeral", answer.GetProperty("response_type").GetString());
        Assert.False(answer.GetProperty("replace_original").GetBoolean());
        Assert.Contains("Charged", answer.GetRawText(), StringComparison.Ordinal);

        var refused = host.Slack.BlockActions(card, ActionId(host, card, "Mute 24h"), userId: "U111");
        await socket.SendInteractiveAsync("env-mute-member", refused);
        var refusal = await host.Slack.WaitForResponseUrlPostAsync(refused.ResponseUrl!, TimeSpan.FromSeconds(10));
        Assert.Contains("Only admins", refusal.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Amir", refusal.GetRawText(), StringComparison.Ordinal);

        await socket.SendInteractiveAsync("env-mute-admin", host.Slack.BlockActions(card, ActionId(host, card, "Mute 24h"), userId: SlackHost.AdminUserId));
        await Eventually.TrueAsync(() => SectionText(host, card).Contains("Muted in this channel until", StringComparison.Ordinal), because: "the card shows the mute");
        Assert.Contains("Unmute", Buttons(host, card));
    }

    [Fact]
    public async Task Buttons_OverSignedHttp_AcknowledgeEditsTheCard_AndABadSignatureIs401()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: true);
        await host.WaitForCasesAsync();
        SlackHost.ReplaceFeed(root, Feed("charged"));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, 1), because: "card posted");
        var card = Assert.Single(host.Slack.Messages);
        var click = host.Slack.BlockActions(card, ActionId(host, card, "Acknowledge"), userId: "U111");
        var url = new Uri(host.Http.BaseAddress!, "/slack/interactions").ToString();

        using var forged = FakeSlackServer.SignedInteractionRequest(url, click.PayloadJson, "not-the-signing-secret");
        using var forgedAnswer = await host.Http.SendAsync(forged);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, forgedAnswer.StatusCode);
        Assert.DoesNotContain("Acknowledged by", SectionText(host, card), StringComparison.Ordinal);

        using var signed = FakeSlackServer.SignedInteractionRequest(url, click.PayloadJson, SlackHost.SigningSecret);
        using var answer = await host.Http.SendAsync(signed);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        await Eventually.TrueAsync(() => SectionText(host, card).Contains("Acknowledged by", StringComparison.Ordinal), because: "the card shows the acknowledgement");
    }

    private static string ActionId(SlackHost host, FakeMessage card, string label) =>
        Elements(host, card).First(e => e.GetProperty("text").GetProperty("text").GetString() == label).GetProperty("action_id").GetString()!;

    private static List<string> Buttons(SlackHost host, FakeMessage card) =>
        Elements(host, card).Select(e => e.GetProperty("text").GetProperty("text").GetString()!).ToList();

    private static IEnumerable<JsonElement> Elements(SlackHost host, FakeMessage card) =>
        host.Slack.Message(Channel, card.Ts)!.Blocks!.Value.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray()).ToArray();

    private static string SectionText(SlackHost host, FakeMessage card) =>
        host.Slack.Message(Channel, card.Ts)!.Blocks!.Value[1].GetProperty("text").GetProperty("text").GetString() ?? "";

    private static string Feed(string status) =>
        $$"""{"cases":[{"id":"af-1","name":"Amir Amiry","status":"{{status}}","country":"Afghanistan","sourceUrl":"https://example.org/af-1"}]}""";
}
