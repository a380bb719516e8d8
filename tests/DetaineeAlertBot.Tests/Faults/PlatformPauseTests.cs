using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Cluster;
using static DetaineeAlertBot.Tests.Faults.DeliveryResilience;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>Nothing lost, nothing silent, when a platform refuses the bot (token missing, rejected, reset): real bots against the fake
/// Discord and Slack servers over loopback sockets, on real SQLite files and (in CI) a real PostgreSQL database. Changes arrive by push ingest.</summary>
[LongRunning]
public sealed class PlatformPauseTests
{
    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task MissingSlackToken_AlertWaitsUnprintedAndUnhealthy_ThenTheRestoredTokenDeliversItExactlyOnce(string provider)
    {
        await using var slack = await FakeSlackServer.StartAsync();
        await using var bot = await DeliveryBot.StartAsync(provider, "slack", SlackChannel, null);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(async () => (await bot.HealthAsync()).Contains("Slack:BotToken is not set", StringComparison.Ordinal));
        Assert.Contains("unhealthy", await bot.StatusAsync(), StringComparison.Ordinal);
        var waiting = await bot.Outbox.GetStatsAsync(CancellationToken.None);
        Assert.Equal((1L, 0L, 0L), (waiting.Pending, waiting.Delivered, waiting.Dead));

        await bot.RestartAsync(SlackArgs(slack));

        await Eventually.TrueAsync(() => SlackIn(slack, SlackChannel).Length >= 1, TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Delivered == 1);
        var message = Assert.Single(SlackIn(slack, SlackChannel));
        Assert.Contains("Amir Amiry", message.Body.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task SlackInvalidAuthForAWhile_PausesWithoutSpendingAttempts_ThenDeliversOnceAndReportsPauseAndResumeOnce(string provider)
    {
        await using var slack = await FakeSlackServer.StartAsync();
        await using var bot = await DeliveryBot.StartAsync(provider, "slack", SlackChannel, null, SlackArgs(slack));
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        slack.BotToken = "xoxb-rotated-elsewhere"; // our token is now invalid_auth everywhere
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(async () => (await bot.HealthAsync()).Contains("slack paused", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("unhealthy", await bot.StatusAsync(), StringComparison.Ordinal);
        await Eventually.TrueAsync(() => slack.Calls("auth.test") >= 3, TimeSpan.FromSeconds(20), because: "the paused platform is probed regularly");
        var paused = await bot.Outbox.GetStatsAsync(CancellationToken.None);
        Assert.Equal((0L, 0L), (paused.Delivered, paused.Dead));
        Assert.Empty(slack.Messages);

        slack.BotToken = FakeSlackServer.DefaultBotToken;

        await Eventually.TrueAsync(() => SlackIn(slack, SlackChannel).Length == 1 && SlackIn(slack, SlackAdmin).Length == 2, TimeSpan.FromSeconds(20), detail: () => string.Join(" | ", slack.Messages.Select(m => m.Channel)));
        var alert = Assert.Single(SlackIn(slack, SlackChannel));
        var row = await bot.Outbox.FindAsync(DeliveryIdOf(alert), CancellationToken.None);
        Assert.Equal((OutboxState.Sent, 0), (row!.State, row.Attempts));
        var reports = SlackIn(slack, SlackAdmin).Select(m => m.Body.GetProperty("text").GetString()!).ToArray();
        Assert.Single(reports, r => r.Contains("Slack deliveries paused", StringComparison.Ordinal));
        Assert.Single(reports, r => r.Contains("Slack deliveries resumed", StringComparison.Ordinal));
        await Eventually.TrueAsync(async () => !(await bot.StatusAsync()).Contains("unhealthy", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task Discord401ThenTokenFixed_ResumesByItselfAndDeliversExactlyOnce(string provider)
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        await using var bot = await DeliveryBot.StartAsync(provider, "discord", DiscordChannel, null, DiscordArgs(discord));
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        discord.BotToken = "reset-on-the-developer-portal";
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(async () => (await bot.HealthAsync()).Contains("discord paused", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(() => discord.Requests.Count(r => r.Path == "/api/v10/users/@me") >= 2, TimeSpan.FromSeconds(20));
        Assert.Empty(discord.Messages);

        discord.BotToken = FakeDiscordServer.DefaultBotToken;

        await Eventually.TrueAsync(() => discord.Messages.Count(m => m.ChannelId == DiscordChannel) == 1, TimeSpan.FromSeconds(20));
        // "Pending" leaves out rows being sent: wait until nothing is open and the pause report has reached the admin channel.
        await Eventually.TrueAsync(async () => (await bot.Outbox.GetStatsAsync(CancellationToken.None)) is { Pending: 0, Sending: 0 }
            && discord.Messages.Any(m => m.ChannelId == DiscordAdmin && m.Body.ToJsonString().Contains("Discord deliveries paused", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20));
        var stats = await bot.Outbox.GetStatsAsync(CancellationToken.None);
        Assert.Equal(0L, stats.Dead);
        Assert.Single(discord.Messages, m => m.ChannelId == DiscordChannel);
        Assert.Single(discord.Messages, m => m.ChannelId == DiscordAdmin && m.Body.ToJsonString().Contains("Discord deliveries paused", StringComparison.Ordinal));
    }
}
