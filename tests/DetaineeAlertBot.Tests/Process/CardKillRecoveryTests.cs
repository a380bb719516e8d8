using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Process;

/// <summary>kill -9 of a real bot process after Discord created the case card and before the bot heard back (so before it
/// could store the card's message id): after a restart the channel still has exactly one card, and the next change
/// edits it and replies to it.</summary>
public class CardKillRecoveryTests
{
    [Fact]
    public async Task KillDashNine_BetweenPostingTheCardAndStoringIt_RestartKeepsOneCard()
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), """
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "discord", "ChannelId": "111", "Cases": "af-1" } ],
              "Logging": { "LogLevel": { "Default": "Warning" } }
            }
            """);
        string[] args =
        [
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}", $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}",
        ];
        var feed = Path.Combine(root, "config", "cases.json");

        try
        {
            await using (var first = BotProcess.Start(root, args))
            {
                Assert.True(await first.WaitHealthyAsync(TimeSpan.FromSeconds(60)), first.Output);
                // Discord creates the card, then holds its answer: the bot is killed while it waits.
                discord.MessageAnswerDelay = TimeSpan.FromMinutes(5);
                File.WriteAllText(feed, BotTestHost.Feed(("af-1", "Amir Amiry", "charged")));
                await Eventually.TrueAsync(() => discord.Messages.Count == 1, TimeSpan.FromSeconds(30), detail: () => first.Output);
                first.Kill();
            }
            discord.MessageAnswerDelay = TimeSpan.Zero;
            var card = Assert.Single(discord.Messages);

            await using var second = BotProcess.Start(root, args);
            Assert.True(await second.WaitHealthyAsync(TimeSpan.FromSeconds(60)), second.Output);
            await Eventually.TrueAsync(async () => (await second.HealthAsync()).Contains("\"delivered\":1"), TimeSpan.FromSeconds(30), detail: () => second.HealthAsync());
            File.WriteAllText(feed, BotTestHost.Feed(("af-1", "Amir Amiry", "released")));
            await Eventually.TrueAsync(async () => await second.HealthAsync() is var health && health.Contains("\"delivered\":2") && health.Contains("\"pending\":0")
                && health.Contains("\"sending\":0"), TimeSpan.FromSeconds(30), detail: () => second.HealthAsync());

            // The resend carried the same nonce, so Discord answered with the card it had created: one card, and the next
            // change edited it and replied to it.
            Assert.Equal(2, discord.Messages.Count);
            Assert.Equal(card.Id, discord.Messages[0].Id);
            Assert.Equal(card.Id, (string?)discord.Messages[1].Reference!["message_id"]);
            Assert.Single(discord.EditsOf(card.Id));
            Assert.Equal("Amir Amiry — Released", (string?)discord.FindMessage(card.Id)!.Body["embeds"]![0]!["title"]);
            Assert.Equal(2, discord.Requests.Count(r => r.Method == "POST" && r.Path == "/api/v10/channels/111/messages" && r.Body.Contains(card.Nonce!, StringComparison.Ordinal)));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
