using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Tests.Slack;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>Rule entries end to end on Slack (the counterpart of <see cref="RuleFollowTests"/>): a configured rule and one
/// followed by command (key:value words over Socket Mode) pick up a new case and a status change, not a case that does
/// not match; a case matching two entries of a channel alerts it once; /watchlist list shows the rules with their ids;
/// /watchlist unfollow (over the signed POST /slack/commands) stops them; a member's follow is refused without case data.</summary>
public sealed class SlackRuleFollowTests
{
    private const string CardChannel = "C111";
    private const string RuleChannel = "C0RULES01";
    private const string Member = "U111";

    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [
            { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1" },
            { "Platform": "slack", "ChannelId": "C0RULES01", "Rule": { "Status": "released" }, "Style": "plain" }
          ]
        }
        """;

    [Fact]
    public async Task ARule_PicksUpANewCaseAndAChange_NotANonMatchingOne_AndTwoMatchingEntriesAlertOnce()
    {
        var root = SlackHost.CreateRoot(Settings, BotTestHost.Feed(("af-1", "Amir Amiry", "detained"), ("ir-2", "Amir Amini", "detained")));
        await using var host = await SlackHost.StartAsync(root, socketMode: true, httpCommands: true);
        var catalog = host.App.Services.GetRequiredService<CaseCatalog>();
        await Eventually.TrueAsync(() => catalog.Count == 2, because: "baseline");
        var socket = await host.Slack.WaitForSocketAsync(0, TimeSpan.FromSeconds(60));

        // A member is refused politely, learns nothing about the cases, and no rule is stored (the admin's below is rule 2).
        var refused = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "follow country:Afghanistan", Member, RuleChannel));
        Assert.Contains("Only admins can change this channel's watchlist", refused, StringComparison.Ordinal);
        foreach (var secret in new[] { "Amir", "af-1", "ir-2", "case(s) match" }) Assert.DoesNotContain(secret, refused, StringComparison.Ordinal);

        // A second entry for the same channel, by command: every case held in Afghanistan (all of this feed's).
        var followed = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "follow country:Afghanistan", SlackHost.AdminUserId, RuleChannel));
        Assert.Contains("This channel now follows rule 2", followed, StringComparison.Ordinal);
        Assert.Contains("country Afghanistan: 2 case(s) match today", followed, StringComparison.Ordinal);

        // af-1 is released (matches both entries: one alert), ir-2 is charged (matches the country rule), af-9 is new.
        SlackHost.ReplaceFeed(root, BotTestHost.Feed(("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "charged"), ("af-9", "New Person", "released")));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 4), because: "af-1 twice (its card channel and the rule channel), ir-2, af-9");

        var inRuleChannel = host.Slack.Messages.Where(m => m.Channel == RuleChannel).ToArray();
        Assert.All(inRuleChannel, m => Assert.Null(m.ThreadTs)); // plain style: one message per change, no cards
        var texts = inRuleChannel.Select(m => SlackHost.AllText(m.Body)).ToArray();
        Assert.Equal(3, texts.Length);
        Assert.Single(texts, t => t.Contains("Amir Amiry", StringComparison.Ordinal));
        Assert.Single(texts, t => t.Contains("Amir Amini", StringComparison.Ordinal));
        Assert.Single(texts, t => t.Contains("New case: New Person, Released in Afghanistan", StringComparison.Ordinal));
        Assert.Single(host.Slack.Messages, m => m.Channel == CardChannel && SlackHost.AllText(m.Body).Contains("Amir Amiry", StringComparison.Ordinal));

        var listed = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "list", Member, RuleChannel));
        Assert.Contains("rule 1: status released, added by config", listed, StringComparison.Ordinal);
        Assert.Contains($"rule 2: country Afghanistan, added by someone ({SlackHost.AdminUserId})", listed, StringComparison.Ordinal);
        Assert.DoesNotContain("rule 3", listed, StringComparison.Ordinal);

        // Unfollowing the country rule, over HTTP this time: ir-2's next change reaches nobody there.
        var unfollowed = SlackHost.AllText(await host.CommandOverHttpAsync("/watchlist", "unfollow rule:2", SlackHost.AdminUserId, RuleChannel));
        Assert.Contains("This channel no longer follows rule 2", unfollowed, StringComparison.Ordinal);
        SlackHost.ReplaceFeed(root, BotTestHost.Feed(("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "convicted"), ("af-9", "New Person", "released")));
        await Eventually.TrueAsync(() => catalog.Find(new("test", "ir-2"))?.Case.Status == CaseStatus.Convicted, because: "the document applied");
        Assert.True(await BotTestHost.AllSentAsync(host.App.Services, delivered: 4));
        Assert.Equal(3, host.Slack.Messages.Count(m => m.Channel == RuleChannel));
        Assert.DoesNotContain("rule 2", SlackHost.AllText(await host.CommandOverHttpAsync("/watchlist", "list", Member, RuleChannel)), StringComparison.Ordinal);
    }
}
