using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Cluster;
using DetaineeAlertBot.Tests.Host;
using Npgsql;

namespace DetaineeAlertBot.Tests.Process;

/// <summary>A real bot process configured with a secret in every place one can be (chat tokens, signing secret, API
/// keys, a feed URL's user-info and query string, the PostgreSQL password when a server is available), each of them
/// made to fail so that it is reported: nothing it prints, /healthz/detail or /metrics contains any of them.</summary>
public sealed class SecretLeakTests
{
    private const string DiscordToken = "SECRET-discord-bot-token-0451";
    private const string SlackToken = "xoxb-SECRET-slack-bot-token-0452";
    private const string SigningSecret = "SECRET-slack-signing-secret-0453";
    private const string IngestKey = "SECRET-ingest-key-0454-0123456789";
    private const string ManagementKey = "SECRET-management-key-0455-012345";
    private const string FeedPassword = "SECRET-feed-password-0456";
    private const string FeedToken = "SECRET-feed-query-token-0457";
    private const string DatabasePassword = "SECRET-database-password-0458";

    [Fact]
    public async Task EverySecretFailing_IsNeverInLogsDetailMetricsOrErrorReplies()
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        await using var slack = await FakeSlackServer.StartAsync();
        discord.BotToken = "the-real-token-is-something-else";
        slack.BotToken = "xoxb-the-real-token-is-something-else";
        // A feed server that refuses the connection: its URL, credentials and all, ends up in an error.
        var closedPort = ClosedPort();
        var feedUrl = $"http://reader:{FeedPassword}@127.0.0.1:{closedPort}/cases.json?token={FeedToken}&format=json";
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), $$"""
            {
              "Sources": [
                { "Name": "file", "Type": "File", "Path": "config/cases.json" },
                { "Name": "remote", "Type": "Http", "Url": "{{feedUrl}}", "PollInterval": "00:00:05" } ],
              "Watchlists": [ { "Platform": "console", "ChannelId": "ops", "Cases": "file:af-1" } ],
              "Logging": { "LogLevel": { "Default": "Information" } }
            }
            """);
        var args = new List<string>
        {
            $"--Discord:BotToken={DiscordToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}", $"--Discord:PublicKey={discord.PublicKeyHex}", "--Discord:UseGateway=false",
            $"--Slack:BotToken={SlackToken}", $"--Slack:SigningSecret={SigningSecret}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            $"--Ingest:ApiKey={IngestKey}", $"--Management:ApiKey={ManagementKey}",
        };
        string[] secrets = [DiscordToken, SlackToken, SigningSecret, IngestKey, ManagementKey, FeedPassword, FeedToken];
        PostgresDatabase? database = null;
        if (ClusterProviders.PostgresConnectionString is not null)
        {
            // The test server trusts local connections, so the password is carried but never checked: it must still not show.
            database = await PostgresDatabase.CreateAsync();
            var withPassword = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = DatabasePassword };
            args.Add("--Storage:Provider=Postgres");
            args.Add($"--Storage:ConnectionString={withPassword}");
            secrets = [.. secrets, DatabasePassword];
        }

        try
        {
            await using var bot = BotProcess.Start(root, [.. args]);
            using var management = new HttpClient { BaseAddress = bot.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
            management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ManagementKey);

            // Wait until each secret-bearing part has failed and said so.
            var detail = "";
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    detail = (await (await management.GetAsync("/healthz/detail")).Content.ReadAsStringAsync());
                }
                catch (HttpRequestException)
                {
                    return false; // not listening yet
                }

                return detail.Contains("127.0.0.1:" + closedPort, StringComparison.Ordinal)
                    && detail.Contains("Discord:BotToken", StringComparison.Ordinal)
                    && detail.Contains("Slack:BotToken", StringComparison.Ordinal);
            }, TimeSpan.FromSeconds(60), detail: () => detail + bot.Output);

            // Callers who get something wrong: a wrong ingest key, a push with a bad record, a badly signed Slack command.
            using (var push = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent("{\"cases\":[]}", Encoding.UTF8, "application/json") })
            {
                push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", IngestKey + "x");
                using var refused = await bot.Http.SendAsync(push);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                await AssertCleanAsync(refused, secrets);
            }

            using (var slash = new HttpRequestMessage(HttpMethod.Post, "/slack/commands") { Content = new StringContent("command=%2Fcase&text=help", Encoding.UTF8, "application/x-www-form-urlencoded") })
            {
                slash.Headers.Add("X-Slack-Request-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
                slash.Headers.Add("X-Slack-Signature", "v0=" + new string('0', 64));
                using var refused = await bot.Http.SendAsync(slash);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                await AssertCleanAsync(refused, secrets);
            }

            var metrics = await management.GetStringAsync("/metrics");
            detail = await (await management.GetAsync("/healthz/detail")).Content.ReadAsStringAsync();
            using var plain = await bot.Http.GetAsync("/healthz");
            var output = bot.Output;

            Assert.True(detail.Contains($"127.0.0.1:{closedPort}/cases.json", StringComparison.Ordinal), detail); // the URL is shown, as host and path...
            Assert.Contains("detaineebot", metrics, StringComparison.Ordinal);
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, output, StringComparison.Ordinal); // ... but no secret, anywhere
                Assert.DoesNotContain(secret, detail, StringComparison.Ordinal);
                Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("token=", output + detail + metrics, StringComparison.Ordinal);
            Assert.Matches("^\\{\"status\":\"(healthy|degraded|unhealthy)\"\\}$", await plain.Content.ReadAsStringAsync());
        }
        finally
        {
            if (database is not null) await database.DisposeAsync();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task AssertCleanAsync(HttpResponseMessage response, IEnumerable<string> secrets)
    {
        var body = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.ToString() + response.Content.Headers;
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, headers, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
