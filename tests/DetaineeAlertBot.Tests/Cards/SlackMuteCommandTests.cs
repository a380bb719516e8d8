using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Tests.Slack;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>/watchlist mute and unmute end to end on Slack (the counterpart of <see cref="MuteCommandTests"/>), options as
/// key:value words: muted changes are withheld, and the mute's end (an unmute, or its time on the bot's clock) gives the
/// channel exactly one summary; a member's mute is refused without case data. /watchlist digest likewise: a schedule set by
/// command collects the changes, and schedule:off posts them as one last digest.</summary>
public sealed class SlackMuteCommandTests
{
    private const string Channel = "C111";
    private const string Member = "U111";

    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1", "Style": "plain" } ]
        }
        """;

    [Fact]
    public async Task MuteThenUnmute_OverSocketMode_WithholdsTheChanges_ThenPostsExactlyOneSummary_LatestFirst()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: true, httpCommands: false);
        await Eventually.TrueAsync(() => host.App.Services.GetRequiredService<DetaineeAlertBot.Core.Sync.CaseCatalog>().Count == 2, because: "baseline");
        var socket = await host.Slack.WaitForSocketAsync(0, TimeSpan.FromSeconds(60));

        var refused = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "mute query:Amir Amiry for:2m", Member));
        Assert.Contains("Only admins can change this channel's watchlist", refused, StringComparison.Ordinal);
        foreach (var secret in new[] { "Amir", "af-1", "Detained", "Afghanistan", "Muted" }) Assert.DoesNotContain(secret, refused, StringComparison.Ordinal);

        var muted = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "mute query:Amir Amiry for:2m", SlackHost.AdminUserId));
        Assert.Contains("Muted Amir Amiry here until", muted, StringComparison.Ordinal);
        var listed = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "list", Member));
        Assert.Contains("muted: Amir Amiry", listed, StringComparison.Ordinal);
        Assert.Contains("by someone on", listed, StringComparison.Ordinal);

        await ChangeAsync(host, root, "charged", delivered: 1);
        await ChangeAsync(host, root, "released", delivered: 2);
        Assert.Empty(host.Slack.Messages);

        var unmuted = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "unmute query:Amir Amiry", SlackHost.AdminUserId));
        Assert.Contains("Unmuted Amir Amiry", unmuted, StringComparison.Ordinal);

        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 3), because: "one summary");
        var summary = Assert.Single(host.Slack.Messages);
        Assert.Equal(Channel, summary.Channel);
        Assert.StartsWith("While Amir Amiry was muted", Header(summary), StringComparison.Ordinal);
        Assert.EndsWith("2 changes", Header(summary), StringComparison.Ordinal);
        Assert.StartsWith("Amir Amiry: Detained → Charged → Released", Section(summary), StringComparison.Ordinal);

        // Changes are posted again, and no second summary comes.
        await ChangeAsync(host, root, "deceased", delivered: 4);
        Assert.Equal(2, host.Slack.Messages.Count);
        Assert.Single(host.Slack.Messages, m => Header(m).StartsWith("While", StringComparison.Ordinal));
        Assert.Single(host.Slack.Messages, m => Header(m) == "Amir Amiry — Deceased");
    }

    [Fact]
    public async Task AMuteOfAllCases_OverSignedHttp_EndingOnTheBotsClock_GivesOneSummary()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, builder => builder.Services.AddSingleton<TimeProvider>(time), socketMode: false, httpCommands: true);
        host.Slack.Clock = time;
        await Eventually.TrueAsync(() => host.App.Services.GetRequiredService<DetaineeAlertBot.Core.Sync.CaseCatalog>().Count == 2, because: "baseline");

        var refused = SlackHost.AllText(await host.CommandOverHttpAsync("/watchlist", "mute query:all for:30m", Member));
        Assert.Contains("Only admins can change this channel's watchlist", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("Muted", refused, StringComparison.Ordinal);
        var muted = SlackHost.AllText(await host.CommandOverHttpAsync("/watchlist", "mute query:all for:30m", SlackHost.AdminUserId));
        Assert.Contains("Muted every case here until", muted, StringComparison.Ordinal);

        SlackHost.ReplaceFeed(root, $$"""{"cases":[{{Case("af-1", "Amir Amiry", "charged")}},{{Case("ir-2", "Amir Amini", "detained")}}]}""");
        await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 1), "the change withheld");
        Assert.Empty(host.Slack.Messages);

        // The mute's end, then the worker's next tick (30 s): keep the clock moving until the summary is out.
        time.Advance(TimeSpan.FromMinutes(31));
        await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(5), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 2), "one summary after the mute ended");
        var summary = Assert.Single(host.Slack.Messages);
        Assert.Equal(Channel, summary.Channel);
        Assert.StartsWith("While this channel was muted", Header(summary), StringComparison.Ordinal);
        Assert.EndsWith("1 change", Header(summary), StringComparison.Ordinal);
        Assert.StartsWith("Amir Amiry: Detained → Charged", Section(summary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestByCommand_OverSocketMode_CollectsTheChanges_ListShowsIt_AndOffPostsThemAsOneLastDigest()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained"));
        await using var host = await SlackHost.StartAsync(root, socketMode: true, httpCommands: false);
        await Eventually.TrueAsync(() => host.App.Services.GetRequiredService<DetaineeAlertBot.Core.Sync.CaseCatalog>().Count == 2, because: "baseline");
        var socket = await host.Slack.WaitForSocketAsync(0, TimeSpan.FromSeconds(60));

        var refused = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "digest schedule:daily 14:05 UTC", Member));
        Assert.Contains("Only admins can change this channel's watchlist", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("digest every day", refused, StringComparison.Ordinal);
        var wrong = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "digest schedule:daily 14:05 Mars/Olympus", SlackHost.AdminUserId));
        Assert.Contains("'Mars/Olympus' is not an IANA time zone", wrong, StringComparison.Ordinal);

        var set = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "digest schedule:daily 14:05 UTC", SlackHost.AdminUserId));
        Assert.Contains("This channel now gets a digest every day at 14:05 (UTC)", set, StringComparison.Ordinal);
        Assert.Contains("Digest: daily 14:05 UTC, set by someone", SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "list", Member)),
            StringComparison.Ordinal);

        await ChangeAsync(host, root, "charged", delivered: 1);
        await ChangeAsync(host, root, "released", delivered: 2);
        Assert.Empty(host.Slack.Messages);

        var off = SlackHost.AllText(await host.CommandOverSocketAsync(socket, "/watchlist", "digest schedule:off", SlackHost.AdminUserId));
        Assert.Contains("The 2 changes collected since the last digest follow as one last digest.", off, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 3), because: "the last digest");
        var digest = Assert.Single(host.Slack.Messages);
        Assert.StartsWith("Digest since", Header(digest), StringComparison.Ordinal);
        Assert.Contains("2 changes to 1 case", Header(digest), StringComparison.Ordinal);
        Assert.Contains("Amir Amiry: Detained → Charged → Released", Section(digest), StringComparison.Ordinal);

        // Off: each change is posted at once again.
        await ChangeAsync(host, root, "deceased", delivered: 4);
        Assert.Single(host.Slack.Messages, m => Header(m) == "Amir Amiry — Deceased");
    }

    private static async Task ChangeAsync(SlackHost host, string root, string status, int delivered)
    {
        SlackHost.ReplaceFeed(root, Feed(status));
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered), because: $"the change to {status} delivered");
    }

    /// <summary>The message's header block (an alert's title, a summary's "While … was muted …").</summary>
    private static string Header(FakeMessage message) =>
        Blocks(message).First(b => b.GetProperty("type").GetString() == "header").GetProperty("text").GetProperty("text").GetString() ?? "";

    /// <summary>The first section's text (a summary's lines).</summary>
    private static string Section(FakeMessage message) =>
        Blocks(message).First(b => b.GetProperty("type").GetString() == "section").GetProperty("text").GetProperty("text").GetString() ?? "";

    private static IEnumerable<JsonElement> Blocks(FakeMessage message) => message.Body.GetProperty("blocks").EnumerateArray();

    private static string Feed(string status) =>
        $$"""{"cases":[{{Case("af-1", "Amir Amiry", status)}},{{Case("ir-2", "Amir Amini", "detained")}}]}""";

    private static string Case(string id, string name, string status) =>
        $$"""{"id":"{{id}}","name":"{{name}}","status":"{{status}}","country":"Afghanistan","sourceUrl":"https://example.org/{{id}}"}""";
}
