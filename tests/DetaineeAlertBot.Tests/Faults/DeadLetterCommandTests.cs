using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Tests.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>/alerts status, /alerts dead and /alerts retry on both platforms, over the real endpoints: a payload the
/// platform rejects dead-letters at once, is listed for admins (refused to members), and is sent once when retried.</summary>
public sealed class DeadLetterCommandTests
{
    private static void ReplaceFeed(string root, string feed)
    {
        var path = Path.Combine(root, "config", "cases.json");
        File.WriteAllText(path + ".tmp", feed);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static async Task<JsonObject> InteractAsync(DiscordHost host, string body)
    {
        using var response = await host.Http.SendAsync(host.Signed(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task Discord_RejectedAlert_IsListedForAdminsOnly_AndRetryDeliversItOnce()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        var outbox = host.App.Services.GetRequiredService<IAlertOutbox>();
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var messages = $"/api/v10/channels/{DiscordHost.Channel}/messages";
        host.Fake.Script(new ScriptedResponse((method, path) => method == "POST" && path == messages, 400,
            """{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"title":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 256 or fewer in length."}]}}}}}"""));
        ReplaceFeed(host.Root, BotTestHost.Feed(("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "detained")));

        await Eventually.TrueAsync(async () => (await outbox.GetStatsAsync(CancellationToken.None)).Dead == 1, because: "dead-lettered at once");
        var dead = Assert.Single(await outbox.ListDeadAsync(10, CancellationToken.None));
        Assert.Contains("50035", dead.LastError, StringComparison.Ordinal);

        var status = (await InteractAsync(host, DiscordHost.Command("alerts", "status", null, permissions: "0", id: "1300000000000000101"))).ToJsonString();
        Assert.Contains("Dead letters", status, StringComparison.Ordinal);
        var refused = (await InteractAsync(host, DiscordHost.Command("alerts", "dead", null, permissions: "0", id: "1300000000000000102"))).ToJsonString();
        Assert.DoesNotContain(dead.DeliveryId, refused, StringComparison.Ordinal);
        Assert.Contains("Only admins", refused, StringComparison.Ordinal);
        var listed = (await InteractAsync(host, DiscordHost.Command("alerts", "dead", null, permissions: "8", id: "1300000000000000103"))).ToJsonString();
        Assert.True(listed.Contains(dead.DeliveryId, StringComparison.Ordinal), listed);
        Assert.Contains("Amir Amiry", listed, StringComparison.Ordinal);

        var retry = DiscordHost.Command("alerts", "retry", dead.DeliveryId, permissions: "8", id: "1300000000000000104").Replace("\"name\":\"query\"", "\"name\":\"id\"", StringComparison.Ordinal);
        Assert.Contains("queued again", (await InteractAsync(host, retry)).ToJsonString(), StringComparison.Ordinal);

        await Eventually.TrueAsync(() => host.Fake.Messages.Count(m => m.ChannelId == DiscordHost.Channel) == 1, because: "delivered after the retry");
        await Eventually.TrueAsync(async () => (await outbox.FindAsync(dead.DeliveryId, CancellationToken.None))!.State == OutboxState.Sent, because: "stored sent");
        Assert.Equal(0L, (await outbox.GetStatsAsync(CancellationToken.None)).Dead);
        Assert.Single(host.Fake.Messages, m => m.ChannelId == DiscordHost.Channel);
    }

    [Fact]
    public async Task Slack_RejectedAlert_IsListedForAdminsOnly_AndRetryAllDeliversItOnce()
    {
        var root = SlackHost.CreateRoot("""
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "slack", "ChannelId": "C0ALERTS", "Cases": "af-1" } ]
            }
            """, BotTestHost.Feed(("af-1", "Amir Amiry", "detained")));
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: true);
        var outbox = host.App.Services.GetRequiredService<IAlertOutbox>();
        await host.WaitForCasesAsync();
        host.Slack.Enqueue("chat.postMessage", FakeResponse.Error("invalid_blocks"));
        SlackHost.ReplaceFeed(root, BotTestHost.Feed(("af-1", "Amir Amiry", "released")));

        await Eventually.TrueAsync(async () => (await outbox.GetStatsAsync(CancellationToken.None)).Dead == 1, TimeSpan.FromSeconds(20));
        var dead = Assert.Single(await outbox.ListDeadAsync(10, CancellationToken.None));

        async Task<string> CommandAsync(string text, string user)
        {
            var responseUrl = host.Slack.NewResponseUrl();
            using var response = await host.Http.SendAsync(SlackHost.SignedCommand("/alerts", text, userId: user, responseUrl: responseUrl));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var immediate = await response.Content.ReadAsStringAsync();
            return immediate.Contains("Working on it", StringComparison.Ordinal)
                ? (await host.Slack.WaitForResponseUrlPostAsync(responseUrl, TimeSpan.FromSeconds(10))).GetRawText()
                : immediate;
        }

        Assert.Contains("Dead letters", await CommandAsync("status", "U111"), StringComparison.Ordinal);
        var refused = await CommandAsync("dead", "U111");
        Assert.Contains("Only admins", refused, StringComparison.Ordinal);
        Assert.DoesNotContain(dead.DeliveryId, refused, StringComparison.Ordinal);
        Assert.Contains(dead.DeliveryId, await CommandAsync("dead", SlackHost.AdminUserId), StringComparison.Ordinal);
        Assert.Contains("queued again", await CommandAsync("retry id:all", SlackHost.AdminUserId), StringComparison.Ordinal);

        await Eventually.TrueAsync(() => host.Slack.Messages.Count(m => m.Channel == "C0ALERTS") == 1, TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => (await outbox.FindAsync(dead.DeliveryId, CancellationToken.None))!.State == OutboxState.Sent);
        Assert.Single(host.Slack.Messages, m => m.Channel == "C0ALERTS");
    }
}
