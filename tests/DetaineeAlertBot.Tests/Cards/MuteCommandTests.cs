using System.Text.Json.Nodes;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>/watchlist mute and unmute end to end on Discord: muted changes are withheld, and the mute's end (an unmute,
/// or its time on the bot's clock) gives the channel exactly one summary.</summary>
public sealed class MuteCommandTests
{
    private const string Member = "3072";

    [Fact]
    public async Task MuteThenUnmute_WithholdsTheChanges_ThenPostsExactlyOneSummary_LatestFirst()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false", "--Watchlists:0:Style=plain");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");

        var refused = await (await host.Fake.PostInteractionAsync(endpoint, Mute("af-1", "2m", Member, null, "1300000000000000401"))).Callback;
        Assert.Contains("Only admins", refused.ToJsonString(), StringComparison.Ordinal);
        var muted = await (await host.Fake.PostInteractionAsync(endpoint, Mute("af-1", "2m", Member, [DiscordHost.AdminRole], "1300000000000000402"))).Callback;
        Assert.Contains("Muted Amir Amiry here until", DiscordCardTests.Unescape(muted.ToJsonString()), StringComparison.Ordinal);

        await DiscordCardTests.ChangeAsync(host, "charged", delivered: 1);
        await DiscordCardTests.ChangeAsync(host, "released", delivered: 2);
        Assert.Empty(host.Fake.Messages);

        var unmute = JsonNode.Parse(DiscordHost.Command("watchlist", "unmute", "af-1", Member, [DiscordHost.AdminRole], id: "1300000000000000403"))!.AsObject();
        Assert.Contains("Unmuted Amir Amiry", DiscordCardTests.Unescape((await (await host.Fake.PostInteractionAsync(endpoint, unmute)).Callback).ToJsonString()),
            StringComparison.Ordinal);

        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 3), because: "one summary");
        var summary = Assert.Single(host.Fake.Messages).Body["embeds"]![0]!;
        Assert.StartsWith("While Amir Amiry was muted", DiscordCardTests.Unescape((string?)summary["title"]), StringComparison.Ordinal);
        Assert.EndsWith("2 changes", DiscordCardTests.Unescape((string?)summary["title"]), StringComparison.Ordinal);
        Assert.StartsWith("Amir Amiry: Detained → Charged → Released", DiscordCardTests.Unescape((string?)summary["description"]), StringComparison.Ordinal);

        // Changes are posted again, and no second summary comes.
        await DiscordCardTests.ChangeAsync(host, "deceased", delivered: 4);
        Assert.Equal(2, host.Fake.Messages.Count);
        Assert.Single(host.Fake.Messages, m => ((string?)m.Body["embeds"]![0]!["title"])?.StartsWith("While", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task AMuteOfAllCases_EndingOnTheBotsClock_GivesOneSummary()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await DiscordHost.StartAsync(null, builder => builder.Services.AddSingleton<TimeProvider>(time),
            "--Discord:UseGateway=false", "--Watchlists:0:Style=plain");
        host.Fake.Clock = time;
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var endpoint = new Uri(host.Http.BaseAddress!, "/discord/interactions");
        await (await host.Fake.PostInteractionAsync(endpoint, Mute("all", "30m", Member, [DiscordHost.AdminRole], "1300000000000000501"))).Callback;

        var feed = Path.Combine(host.Root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed(("af-1", "Amir Amiry", "charged"), ("ir-2", "Amir Amini", "detained")));
        File.Move(feed + ".tmp", feed, overwrite: true);
        await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 1), "the change withheld");
        Assert.Empty(host.Fake.Messages);

        // The mute's end, then the worker's next tick (30 s): keep the clock moving until the summary is out.
        time.Advance(TimeSpan.FromMinutes(31));
        await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(5), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 2), "one summary after the mute ended");
        var summary = Assert.Single(host.Fake.Messages).Body["embeds"]![0]!;
        Assert.StartsWith("While this channel was muted", DiscordCardTests.Unescape((string?)summary["title"]), StringComparison.Ordinal);
    }

    private static JsonObject Mute(string query, string duration, string permissions, string[]? roles, string id)
    {
        var interaction = JsonNode.Parse(DiscordHost.Command("watchlist", "mute", query, permissions, roles, id: id))!.AsObject();
        interaction["data"]!["options"]![0]!["options"]!.AsArray().Add(new JsonObject { ["type"] = 3, ["name"] = "for", ["value"] = duration });
        return interaction;
    }
}
