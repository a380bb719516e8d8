using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Cluster;
using static DetaineeAlertBot.Tests.Faults.DeliveryResilience;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>Nothing lost, nothing out of order, when a send fails: real bots against the fake Discord server over loopback
/// sockets, on real SQLite files and (in CI) a real PostgreSQL database. Changes arrive by push ingest.</summary>
public sealed class RetryOrderTests
{
    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task FirstSendFails_TheNewerChangeOfTheSameCaseWaitsForIt(string provider)
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        // Plain style: one message per change shows the order directly (cards keep it the same way: CardAlertSinkTests,
        // and the card's edits and replies in DiscordCardTests / SlackCardTests).
        await using var bot = await DeliveryBot.StartAsync(provider, "discord", DiscordChannel, null, [.. DiscordArgs(discord), "--Watchlists:0:Style=plain"]);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"), ("af-2", "Second Person", "detained"));
        // The first send of the first change fails (503 to the request and to each of the client's 3 retries).
        for (var i = 0; i < 4; i++)
        {
            discord.Script(new ScriptedResponse((method, path) => method == "POST" && path == $"/api/v10/channels/{DiscordChannel}/messages", 503,
                """{"message":"unavailable","code":0}"""));
        }
        await bot.PushAsync(("af-1", "Amir Amiry", "released"), ("af-2", "Second Person", "detained"));
        await Eventually.TrueAsync(() => discord.Requests.Count(r => r.Status == 503) == 4, TimeSpan.FromSeconds(20));
        await bot.PushAsync(("af-1", "Amir Amiry", "deceased"), ("af-2", "Second Person", "charged"));

        await Eventually.TrueAsync(() => discord.Messages.Count(m => m.ChannelId == DiscordChannel) == 3, TimeSpan.FromSeconds(30));
        var titles = discord.Messages.Where(m => m.ChannelId == DiscordChannel).Select(m => m.Body.ToJsonString()).ToArray();
        var released = Array.FindIndex(titles, t => t.Contains("Amir Amiry", StringComparison.Ordinal) && t.Contains("Released", StringComparison.Ordinal) && !t.Contains("Deceased", StringComparison.Ordinal));
        var deceased = Array.FindIndex(titles, t => t.Contains("Amir Amiry", StringComparison.Ordinal) && t.Contains("Deceased", StringComparison.Ordinal));
        Assert.True(released >= 0 && deceased > released, string.Join("\n", titles));
    }
}
