using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Cluster;

/// <summary>The Discord gateway and the Slack Socket Mode connection belong to the bot token: only the leading
/// instance holds them, and when it stops the next leader connects.</summary>
public sealed class ChatConnectionLeadershipTests
{
    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task ChatConnections_WithSeveralInstances_AreHeldByTheLeaderOnly(string provider)
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        await using var slack = await FakeSlackServer.StartAsync();
        await using var database = provider == "Postgres" ? await PostgresDatabase.CreateAsync() : null;
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("f-1", "File Case", "detained")));
        var args = new List<string>
        {
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}", $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}",
            $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}",
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:AppToken={FakeSlackServer.DefaultAppToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            "--Cluster:LeaderCheckInterval=00:00:00.5",
        };
        if (database is not null)
        {
            args.Add("--Storage:Provider=Postgres");
            args.Add($"--Storage:ConnectionString={database.ConnectionString}");
        }
        int OpenGateways() => discord.Gateway.Connections.Count(c => c.IsOpen);
        int OpenSockets() => slack.Sockets.Count(s => !s.Closed.IsCompleted);

        var first = await BotTestHost.StartAsync(root, [.. args]);
        first.DeleteRootOnDispose = false;
        BotTestHost? second = null;
        try
        {
            await Eventually.TrueAsync(() => OpenGateways() == 1 && OpenSockets() == 1, TimeSpan.FromSeconds(30), detail: () => $"gateways {OpenGateways()}, sockets {OpenSockets()}");
            if (database is null) return; // SQLite: one instance, and it holds both

            second = await BotTestHost.StartAsync(root, [.. args]);
            second.DeleteRootOnDispose = false;
            var health = "";
            await Eventually.TrueAsync(async () => (health = (await (await second.Http.GetAsync("/healthz/detail")).Content.ReadAsStringAsync())).Contains("standby", StringComparison.Ordinal), TimeSpan.FromSeconds(30), detail: () => health);
            // Standby means the follower's chat services asked for the lead and were told to wait: past the point where a
            // wrongly connecting follower would have opened its gateway and socket.
            Assert.Equal((1, 1), (OpenGateways(), OpenSockets()));
            Assert.Single(discord.Gateway.Connections);
            Assert.Single(slack.Sockets);

            await first.DisposeAsync();
            first = null;
            await Eventually.TrueAsync(() => OpenGateways() == 1 && OpenSockets() == 1 && discord.Gateway.Connections.Count == 2 && slack.Sockets.Count == 2, TimeSpan.FromSeconds(30), detail: () => $"gateways {OpenGateways()} of {discord.Gateway.Connections.Count}, sockets {OpenSockets()} of {slack.Sockets.Count}");
        }
        finally
        {
            if (first is not null) await first.DisposeAsync();
            if (second is not null) await second.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder; a watcher may still hold it.
            }
        }
    }
}
