using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Process;

/// <summary>kill -9 of a real bot process after Slack posted the case card and before the bot heard back: Slack has no
/// nonce, so after the restart the history check finds the card (its metadata carries the delivery id), the outbox row is
/// stored sent with it, and the next change edits that card and replies in its thread: one card.</summary>
public class SlackCardKillRecoveryTests
{
    [Fact]
    public async Task KillDashNine_BetweenPostingTheCardAndStoringIt_RestartKeepsOneCard()
    {
        await using var slack = await FakeSlackServer.StartAsync();
        slack.PerChannelInterval = null;
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), """
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1" } ],
              "Logging": { "LogLevel": { "Default": "Warning" } }
            }
            """);
        string[] args = [$"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}"];
        var feed = Path.Combine(root, "config", "cases.json");

        try
        {
            await using (var first = BotProcess.Start(root, args))
            {
                Assert.True(await first.WaitHealthyAsync(TimeSpan.FromSeconds(60)), first.Output);
                slack.PostMessageAnswerDelay = TimeSpan.FromMinutes(5);
                File.WriteAllText(feed, BotTestHost.Feed(("af-1", "Amir Amiry", "charged")));
                await Eventually.TrueAsync(() => slack.Messages.Count == 1, TimeSpan.FromSeconds(30), detail: () => first.Output);
                first.Kill();
            }
            slack.PostMessageAnswerDelay = TimeSpan.Zero;
            var card = Assert.Single(slack.Messages);

            await using var second = BotProcess.Start(root, args);
            Assert.True(await second.WaitHealthyAsync(TimeSpan.FromSeconds(60)), second.Output);
            await Eventually.TrueAsync(async () => (await second.HealthAsync()).Contains("\"delivered\":1"), TimeSpan.FromSeconds(30), detail: () => second.HealthAsync());
            File.WriteAllText(feed, BotTestHost.Feed(("af-1", "Amir Amiry", "released")));
            await Eventually.TrueAsync(async () => await second.HealthAsync() is var health && health.Contains("\"delivered\":2") && health.Contains("\"pending\":0")
                && health.Contains("\"sending\":0"), TimeSpan.FromSeconds(30), detail: () => second.HealthAsync());

            Assert.Equal(2, slack.Messages.Count);
            Assert.Equal(card.Ts, slack.Messages[1].ThreadTs);
            Assert.True(slack.Messages[1].ReplyBroadcast);
            Assert.Single(slack.Edits, e => e.Ts == card.Ts);
            Assert.Contains("Released", slack.Message("C111", card.Ts)!.Text, StringComparison.Ordinal);
            Assert.True(slack.Calls("conversations.history") >= 1, "the restart looked for the card before sending again");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
