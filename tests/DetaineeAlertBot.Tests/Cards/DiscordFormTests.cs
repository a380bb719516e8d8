using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>The status and new-case forms on Discord (modals over the signed HTTP endpoint), against a bot that also
/// watches the case on Slack: a manual update reaches every watching channel on both platforms once, and the history
/// says who made it.</summary>
public sealed class DiscordFormTests
{
    private const string Mason = "53908232506183680"; // the user DiscordHost.Command sends as
    private const string Member = "3072";

    [Fact]
    public async Task UpdateStatusForm_ByAnAdmin_AlertsDiscordAndSlackOnce_AndTheHistorySaysWhoSetIt_WhileAMemberIsRefused()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        slack.PerChannelInterval = null;
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false",
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            "--Watchlists:1:Platform=slack", "--Watchlists:1:ChannelId=C111", "--Watchlists:1:Cases=af-1");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");

        var refused = await host.Fake.PostInteractionAsync(endpoint, Command("update", "af-1", Member, id: "1300000000000000101"));
        var refusal = await refused.Callback;
        Assert.Equal(4, (int)refusal["type"]!);
        Assert.Equal(64, (int)refusal["data"]!["flags"]!);
        Assert.Contains("Only admins", refusal.ToJsonString(), StringComparison.Ordinal);

        var opened = await host.Fake.PostInteractionAsync(endpoint, Command("update", "af-1", Member, [DiscordHost.AdminRole], id: "1300000000000000102"));
        var modal = await opened.Callback;
        Assert.Equal(9, (int)modal["type"]!);
        Assert.Equal(["status", "since", "link", "note"], Inputs(modal).Select(i => (string)i["custom_id"]!));
        Assert.Equal("detained", (string?)Inputs(modal)[0]["value"]);
        var formId = (string)modal["data"]!["custom_id"]!;

        // A status that is not one, and a date in the wrong shape: nothing is saved, and a button opens the form again.
        var wrong = await host.Fake.PostInteractionAsync(endpoint, Submit(host, formId, ("status", "freed"), ("since", "22/11/2026")));
        var errors = await wrong.Callback;
        Assert.Contains("Use one of", DiscordCardTests.Unescape(errors.ToJsonString()), StringComparison.Ordinal);
        Assert.Contains("yyyy-mm-dd", DiscordCardTests.Unescape(errors.ToJsonString()), StringComparison.Ordinal);
        var again = (string)errors["data"]!["components"]![0]!["components"]![0]!["custom_id"]!;
        var reopened = await (await host.Fake.PostInteractionAsync(endpoint,
            host.Fake.ComponentInteraction(DiscordHost.Channel, EphemeralHost(host), again, Member, [DiscordHost.AdminRole], Mason))).Callback;
        Assert.Equal(9, (int)reopened["type"]!);
        Assert.Equal("freed", (string?)Inputs(reopened)[0]["value"]);

        var saved = await host.Fake.PostInteractionAsync(endpoint, Submit(host, formId,
            ("status", "released"), ("since", "2026-11-22"), ("link", "https://news.example.org/amiry-freed"), ("note", "freed this morning")));
        Assert.Contains("Recorded", (await saved.Callback).ToJsonString(), StringComparison.Ordinal);

        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 2), because: "one alert per watching channel");
        var discordCard = Assert.Single(host.Fake.Messages, m => m.AuthorId != "900000000000000009");
        Assert.Equal("Amir Amiry — Released", (string?)discordCard.Body["embeds"]![0]!["title"]);
        var slackCard = Assert.Single(slack.Messages);
        Assert.Equal("C111", slackCard.Channel);
        Assert.Contains("Released", slackCard.Body.GetProperty("text").GetString(), StringComparison.Ordinal);

        // The feed still says "detained" for af-1 (and moves ir-2): the manual status stands, nothing is alerted.
        var catalog = host.App.Services.GetRequiredService<CaseCatalog>();
        WriteFeed(host, ("af-1", "Amir Amiry", "detained"), ("ir-2", "Amir Amini", "charged"));
        await Eventually.TrueAsync(() => catalog.Find(new CaseKey("test", "ir-2"))?.Case.Status == CaseStatus.Charged, because: "the document applied");
        Assert.Equal(CaseStatus.Released, catalog.Find(new CaseKey("test", "af-1"))!.Case.Status);
        Assert.True(await BotTestHost.AllSentAsync(host.App.Services, delivered: 2));

        // The feed changes its own value: it wins, and both platforms hear it.
        WriteFeed(host, ("af-1", "Amir Amiry", "transferred"), ("ir-2", "Amir Amini", "charged"));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 4), because: "the feed's change alerted");
        Assert.Equal("Amir Amiry — Transferred", (string?)host.Fake.FindMessage(discordCard.Id)!.Body["embeds"]![0]!["title"]);

        var history = await (await host.Fake.PostInteractionAsync(endpoint, Command("history", "af-1", Member, id: "1300000000000000103"))).Callback;
        var text = DiscordCardTests.Unescape((string?)history["data"]!["embeds"]![0]!["description"]);
        Assert.Contains("Detained -> Released", text, StringComparison.Ordinal);
        Assert.Contains("set by Someone (53908232506183680) on Discord: freed this morning https://news.example.org/amiry-freed", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewCaseForm_TwoSteps_AddsACaseInTheManualSource()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");

        var refused = await (await host.Fake.PostInteractionAsync(endpoint, Command("add", null, Member, id: "1300000000000000200"))).Callback;
        Assert.Equal(4, (int)refused["type"]!);
        Assert.Contains("Only admins", refused.ToJsonString(), StringComparison.Ordinal);

        var modal = await (await host.Fake.PostInteractionAsync(endpoint, Command("add", null, Member, [DiscordHost.AdminRole], id: "1300000000000000201"))).Callback;
        Assert.Equal(9, (int)modal["type"]!);
        Assert.Equal(5, Inputs(modal).Count);
        var added = await (await host.Fake.PostInteractionAsync(endpoint, Submit(host, (string)modal["data"]!["custom_id"]!,
            ("name", "Sarah Hartsfield"), ("aliases", "Sara Hartsfield"), ("status", "on trial"), ("since", "2026-06-01"), ("link", "")))).Callback;
        Assert.Contains("Added Sarah Hartsfield", added.ToJsonString(), StringComparison.Ordinal);
        var step2 = (string)added["data"]!["components"]![0]!["components"]![0]!["custom_id"]!;

        var details = await (await host.Fake.PostInteractionAsync(endpoint,
            host.Fake.ComponentInteraction(DiscordHost.Channel, EphemeralHost(host), step2, Member, [DiscordHost.AdminRole], Mason))).Callback;
        Assert.Equal(["nationality", "country", "held_by", "location"], Inputs(details).Select(i => (string)i["custom_id"]!));
        await (await host.Fake.PostInteractionAsync(endpoint, Submit(host, (string)details["data"]!["custom_id"]!,
            ("nationality", "US"), ("country", "Iran"), ("held_by", "IRGC"), ("location", "Evin")))).Callback;

        var lookup = await (await host.Fake.PostInteractionAsync(endpoint, Command("lookup", "Sara Hartsfield", Member, id: "1300000000000000202"))).Callback;
        var text = DiscordCardTests.Unescape(lookup.ToJsonString());
        Assert.Contains("Sarah Hartsfield", text, StringComparison.Ordinal);
        Assert.Contains("On trial", text, StringComparison.Ordinal);
        Assert.Contains("Iran", text, StringComparison.Ordinal);
        Assert.Contains("manual", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCardsUpdateStatusButton_OpensTheFormForAnAdmin_AndIsRefusedToAMember()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        await DiscordCardTests.ChangeAsync(host, "charged", delivered: 1);
        var card = Assert.Single(host.Fake.Messages);
        var button = card.Body["components"]![0]!["components"]!.AsArray().First(b => (string?)b!["label"] == "Update status")!["custom_id"]!.GetValue<string>();
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");

        var member = await (await host.Fake.PostInteractionAsync(endpoint, host.Fake.ComponentInteraction(DiscordHost.Channel, card.Id, button, Member))).Callback;
        var admin = await (await host.Fake.PostInteractionAsync(endpoint, host.Fake.ComponentInteraction(DiscordHost.Channel, card.Id, button, Member, [DiscordHost.AdminRole]))).Callback;

        Assert.Equal(64, (int)member["data"]!["flags"]!);
        Assert.Contains(CaseForms.AdminRefusal[..20], member.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(9, (int)admin["type"]!);
        Assert.Equal("charged", (string?)Inputs(admin)[0]["value"]);
    }

    private static void WriteFeed(DiscordHost host, params (string Id, string Name, string Status)[] cases)
    {
        var feed = Path.Combine(host.Root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed(cases));
        File.Move(feed + ".tmp", feed, overwrite: true);
    }

    private static JsonObject Command(string subcommand, string? query, string permissions, string[]? roles = null, string id = "1300000000000000100") =>
        JsonNode.Parse(DiscordHost.Command("case", subcommand, query, permissions, roles, id: id))!.AsObject();

    private static JsonObject Submit(DiscordHost host, string customId, params (string Id, string Value)[] values) =>
        host.Fake.ModalSubmitInteraction(DiscordHost.Channel, customId, [.. values.Select(v => KeyValuePair.Create(v.Id, v.Value))],
            permissions: Member, roles: [DiscordHost.AdminRole], userId: Mason);

    private static List<JsonObject> Inputs(JsonObject modal) =>
        modal["data"]!["components"]!.AsArray().Select(row => row!["components"]![0]!.AsObject()).ToList();

    /// <summary>A message to hang an ephemeral answer's button on: the fake wants the message a component is on.</summary>
    private static string EphemeralHost(DiscordHost host) =>
        host.Fake.PostAsUser(DiscordHost.Channel, "900000000000000009", new JsonObject { ["content"] = "(ephemeral answer)" }).Id;
}
