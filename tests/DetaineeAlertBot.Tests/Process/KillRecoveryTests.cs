using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Process;

/// <summary>kill -9 of a real bot process after a status change is stored and before its alert is delivered; the next
/// start delivers it, and the chat server ends up with exactly one message.</summary>
public class KillRecoveryTests
{
    [Fact]
    public async Task KillDashNine_BetweenStoreAndDelivery_NextStartDeliversExactlyOnce()
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), """
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "discord", "ChannelId": "111", "Cases": "af-1" } ],
              "Alerts": { "RetryBaseDelay": "00:00:05" },
              "Logging": { "LogLevel": { "Default": "Warning" } }
            }
            """);
        string[] args =
        [
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}",
            $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}",
        ];
        var messages = $"/api/v10/channels/111/messages";

        try
        {
            await using (var first = BotProcess.Start(root, args))
            {
                Assert.True(await first.WaitHealthyAsync(TimeSpan.FromSeconds(60)), first.Output);
                // The first delivery attempt fails: Discord answers 503 to the REST client's request and to each of its
                // own bounded retries (1 + 3), so the alert stays stored and pending, due again 5 s later.
                for (var i = 0; i < 4; i++)
                {
                    discord.Script(new ScriptedResponse((method, path) => method == "POST" && path == messages, 503, """{"message":"unavailable","code":0}"""));
                }
                File.WriteAllText(Path.Combine(root, "config", "cases.json"), BotTestHost.Feed(("af-1", "Amir Amiry", "released")));

                await Eventually.TrueAsync(() => first.Output.Contains("failed (attempt 1), retrying in"), TimeSpan.FromSeconds(60), detail: () => first.Output);
                Assert.Equal(4, discord.Requests.Count(r => r.Path == messages && r.Status == 503));
                first.Kill();
            }
            Assert.Empty(discord.Messages);

            await using var second = BotProcess.Start(root, args);
            Assert.True(await second.WaitHealthyAsync(TimeSpan.FromSeconds(60)), second.Output);
            await Eventually.TrueAsync(() => discord.Messages.Count >= 1, TimeSpan.FromSeconds(30), detail: () => second.Output);
            // The row stored sent: nothing is left to send, so a duplicate would be in the fake by now.
            await Eventually.TrueAsync(async () => await second.HealthAsync() is var health && health.Contains("\"delivered\":1") && health.Contains("\"pending\":0") && health.Contains("\"sending\":0"),
                TimeSpan.FromSeconds(30), detail: () => second.HealthAsync());
            var message = Assert.Single(discord.Messages);
            Assert.Equal("111", message.ChannelId);
            Assert.Contains("Amir Amiry", message.Body.ToJsonString());
            Assert.NotNull(message.Nonce);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
