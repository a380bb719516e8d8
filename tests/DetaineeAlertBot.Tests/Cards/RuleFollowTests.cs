using System.Text.Json.Nodes;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>Rule entries end to end on Discord: a configured rule and one followed by command pick up a new case and a
/// status change, not a case that does not match; a case matching two entries of a channel alerts it once.</summary>
public sealed class RuleFollowTests
{
    private const string RuleChannel = "645027906669510700";

    [Fact]
    public async Task ARule_PicksUpANewCaseAndAChange_NotANonMatchingOne_AndTwoMatchingEntriesAlertOnce()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false",
            "--Watchlists:1:Platform=discord", $"--Watchlists:1:ChannelId={RuleChannel}", "--Watchlists:1:Rule:Status=released", "--Watchlists:1:Style=plain");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");

        // A second entry for the same channel, by command: every case held in Afghanistan (all of this feed's).
        var follow = JsonNode.Parse(DiscordHost.Command("watchlist", "follow", "Afghanistan", "3072", [DiscordHost.AdminRole], id: "1300000000000000301",
            channelId: RuleChannel, optionName: "country"))!.AsObject();
        var followed = await (await host.Fake.PostInteractionAsync(endpoint, follow)).Callback;
        Assert.Contains("now follows rule", DiscordCardTests.Unescape(followed.ToJsonString()), StringComparison.Ordinal);

        // af-1 is released (matches both entries: one alert), ir-2 is charged (matches the country rule), af-9 is new.
        WriteFeed(host, ("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "charged"), ("af-9", "New Person", "released"));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 4), because: "af-1 twice (its card channel and the rule channel), ir-2, af-9");

        var inRuleChannel = host.Fake.Messages.Where(m => m.ChannelId == RuleChannel).Select(m => DiscordCardTests.Unescape(m.Body.ToJsonString())).ToArray();
        Assert.Equal(3, inRuleChannel.Length);
        Assert.Single(inRuleChannel, m => m.Contains("Amir Amiry", StringComparison.Ordinal));
        Assert.Single(inRuleChannel, m => m.Contains("Amir Amini", StringComparison.Ordinal));
        Assert.Single(inRuleChannel, m => m.Contains("New case: New Person, Released in Afghanistan", StringComparison.Ordinal));

        var list = JsonNode.Parse(DiscordHost.Command("watchlist", "list", null, "3072", id: "1300000000000000302", channelId: RuleChannel))!.AsObject();
        var listed = DiscordCardTests.Unescape((await (await host.Fake.PostInteractionAsync(endpoint, list)).Callback).ToJsonString());
        Assert.Contains("rule 1: status released, added by config", listed, StringComparison.Ordinal);
        Assert.Contains("rule 2: country Afghanistan", listed, StringComparison.Ordinal);

        // Unfollowing the country rule: ir-2's next change reaches nobody there.
        var unfollow = JsonNode.Parse(DiscordHost.Command("watchlist", "unfollow", "2", "3072", [DiscordHost.AdminRole], id: "1300000000000000303",
            channelId: RuleChannel, optionName: "rule"))!.AsObject();
        Assert.Contains("no longer follows rule 2", DiscordCardTests.Unescape((await (await host.Fake.PostInteractionAsync(endpoint, unfollow)).Callback).ToJsonString()),
            StringComparison.Ordinal);
        WriteFeed(host, ("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "convicted"), ("af-9", "New Person", "released"));
        await Eventually.TrueAsync(() => host.App.Services.GetRequiredService<DetaineeAlertBot.Core.Sync.CaseCatalog>()
            .Find(new("test", "ir-2"))?.Case.Status == DetaineeAlertBot.Core.Cases.CaseStatus.Convicted, because: "the document applied");
        Assert.True(await BotTestHost.AllSentAsync(host.App.Services, delivered: 4));
        Assert.Equal(3, host.Fake.Messages.Count(m => m.ChannelId == RuleChannel));
    }

    private static void WriteFeed(DiscordHost host, params (string Id, string Name, string Status)[] cases)
    {
        var feed = Path.Combine(host.Root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed(cases));
        File.Move(feed + ".tmp", feed, overwrite: true);
    }
}
