using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Tests.Slack;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>The status and new-case forms on Slack over Socket Mode: views.open on the command's trigger, validation
/// errors back in the form (response_action: errors), a saved form alerting the watching channel, and the card's button.</summary>
public sealed class SlackFormTests
{
    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1" } ]
        }
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task UpdateStatusForm_OverSocketMode_ErrorsStayInTheForm_AndASavedFormAlertsTheChannelAndNamesWhoSetIt()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: true, httpCommands: false);
        await host.WaitForCasesAsync();
        var socket = await host.Slack.WaitForSocketAsync(0, Wait);

        // A member is refused, and no form opens.
        await socket.SendSlashCommandAsync("env-member", "/case", "update af-1", userId: "U111");
        var refusal = await socket.WaitForAckAsync("env-member", Wait);
        Assert.Contains("Only admins", refusal.GetRawText(), StringComparison.Ordinal);
        Assert.Empty(host.Slack.OpenedViews);

        await socket.SendSlashCommandAsync("env-admin", "/case", "update af-1", userId: SlackHost.AdminUserId);
        var view = Assert.Single(await host.Slack.WaitForOpenedViewsAsync(1, Wait));
        Assert.Equal("case_form", view.CallbackId);
        Assert.DoesNotContain("af-1", view.View.GetProperty("private_metadata").GetString(), StringComparison.Ordinal); // a session id only

        var wrong = host.Slack.ViewSubmission(view, new Dictionary<string, string?> { ["status"] = "released", ["link"] = "javascript:alert(1)" }, SlackHost.AdminUserId);
        await socket.SendInteractiveAsync("env-wrong", wrong);
        var errors = await socket.WaitForAckAsync("env-wrong", Wait);
        Assert.Equal("errors", errors.GetProperty("payload").GetProperty("response_action").GetString());
        Assert.True(errors.GetProperty("payload").GetProperty("errors").TryGetProperty("link", out _));
        Assert.Empty(host.Slack.Messages);

        var right = host.Slack.ViewSubmission(view, new Dictionary<string, string?>
        {
            ["status"] = "released", ["since"] = "2026-11-22", ["link"] = "https://news.example.org/amiry-freed", ["note"] = "freed this morning",
        }, SlackHost.AdminUserId);
        await socket.SendInteractiveAsync("env-right", right);
        var saved = await socket.WaitForAckAsync("env-right", Wait);
        Assert.Equal("update", saved.GetProperty("payload").GetProperty("response_action").GetString());
        Assert.Contains("Recorded", saved.GetRawText(), StringComparison.Ordinal);

        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, 1), because: "the watching channel told once");
        var card = Assert.Single(host.Slack.Messages);
        Assert.Contains("Released", card.Body.GetProperty("text").GetString(), StringComparison.Ordinal);

        await socket.SendSlashCommandAsync("env-history", "/case", "history af-1", userId: "U111");
        var history = await socket.WaitForAckAsync("env-history", Wait);
        Assert.Contains("on Slack: freed this morning https://news.example.org/amiry-freed", history.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewCaseForm_HoldsEveryField_AndTheCardsUpdateStatusButtonOpensTheStatusForm()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: true, httpCommands: false);
        await host.WaitForCasesAsync();
        var socket = await host.Slack.WaitForSocketAsync(0, Wait);

        await socket.SendSlashCommandAsync("env-add-member", "/case", "add", userId: "U111");
        Assert.Contains("Only admins", (await socket.WaitForAckAsync("env-add-member", Wait)).GetRawText(), StringComparison.Ordinal);
        Assert.Empty(host.Slack.OpenedViews);

        await socket.SendSlashCommandAsync("env-add", "/case", "add", userId: SlackHost.AdminUserId);
        var form = Assert.Single(await host.Slack.WaitForOpenedViewsAsync(1, Wait));
        Assert.Equal(9, form.View.GetProperty("blocks").EnumerateArray().Count(b => b.GetProperty("type").GetString() == "input"));
        await socket.SendInteractiveAsync("env-add-submit", host.Slack.ViewSubmission(form, new Dictionary<string, string?>
        {
            ["name"] = "Sarah Hartsfield", ["status"] = "on_trial", ["country"] = "Iran", ["held_by"] = "IRGC",
        }, SlackHost.AdminUserId));
        Assert.Contains("Added Sarah Hartsfield", (await socket.WaitForAckAsync("env-add-submit", Wait)).GetRawText(), StringComparison.Ordinal);

        SlackHost.ReplaceFeed(root, Feed("charged"));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, 1), because: "card posted");
        var card = Assert.Single(host.Slack.Messages);
        var button = host.Slack.Message("C111", card.Ts)!.Blocks!.Value.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray()).First(e => e.GetProperty("text").GetProperty("text").GetString() == "Update status")
            .GetProperty("action_id").GetString()!;
        var memberClick = host.Slack.BlockActions(card, button, userId: "U111");
        await socket.SendInteractiveAsync("env-button-member", memberClick);
        Assert.Contains("Only admins", (await host.Slack.WaitForResponseUrlPostAsync(memberClick.ResponseUrl!, Wait)).GetRawText(), StringComparison.Ordinal);
        Assert.Single(host.Slack.OpenedViews); // the new-case form only

        await socket.SendInteractiveAsync("env-button", host.Slack.BlockActions(card, button, userId: SlackHost.AdminUserId));
        var opened = await host.Slack.WaitForOpenedViewsAsync(2, Wait);
        var status = opened[1].View.GetProperty("blocks").EnumerateArray().First(b => b.GetProperty("block_id").GetString() == "status");
        Assert.Equal("charged", status.GetProperty("element").GetProperty("initial_option").GetProperty("value").GetString());
    }

    private static string Feed(string status) =>
        $$"""{"cases":[{"id":"af-1","name":"Amir Amiry","status":"{{status}}","country":"Afghanistan","sourceUrl":"https://example.org/af-1"}]}""";
}
