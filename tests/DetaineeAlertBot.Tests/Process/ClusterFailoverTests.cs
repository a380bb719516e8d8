using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Cluster;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace DetaineeAlertBot.Tests.Process;

/// <summary>The MUST-SHOW of running several instances: real bot processes, the fake Discord and Slack servers, status
/// changes pushed through either instance, and kill -9 of the leader while alerts are going out. On PostgreSQL two
/// instances share the database and the follower takes over; on SQLite (one instance) the killed process is started
/// again. Either way every watching channel ends up with exactly one message per change, and every row is stored sent.</summary>
[LongRunning]
public sealed partial class ClusterFailoverTests(ITestOutputHelper output)
{
    private const string ApiKey = "cluster-test-key-0123456789";
    private const int Channels = 40;

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task KillDashNineOfTheLeader_WhileAlertsGoOut_EveryChannelGetsExactlyOneMessagePerChange(string provider)
    {
        var postgres = provider == "Postgres";
        var changes = postgres ? 200 : 60; // SQLite runs the same story with one process, a little shorter
        await using var discord = await FakeDiscordServer.StartAsync();
        await using var slack = await FakeSlackServer.StartAsync();
        await using var database = postgres ? await PostgresDatabase.CreateAsync() : null;
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("f-1", "File Case", "detained")), AppSettings(changes));
        var args = new List<string>
        {
            $"--Ingest:ApiKey={ApiKey}",
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}",
            $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}",
            "--Discord:UseGateway=false",
            $"--Discord:PublicKey={discord.PublicKeyHex}",
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}",
            $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            "--Cluster:LeaderCheckInterval=00:00:01",
            // A lease far longer than the test: the takeover must come from the new term, not from a lease running out.
            "--Cluster:DeliveryLease=00:10:00",
            "--Alerts:RetryBaseDelay=00:00:01",
            "--Alerts:RetryMaxDelay=00:00:05",
        };
        if (database is not null)
        {
            args.Add("--Storage:Provider=Postgres");
            args.Add($"--Storage:ConnectionString={database.ConnectionString}");
        }

        var bots = new List<BotProcess>();
        try
        {
            bots.Add(BotProcess.Start(root, [.. args]));
            if (postgres) bots.Add(BotProcess.Start(root, [.. args]));
            foreach (var bot in bots) Assert.True(await bot.WaitHealthyAsync(TimeSpan.FromSeconds(90)), bot.Output);

            // Baseline (no alerts), then one status change per push, alternating between the instances.
            Assert.Equal(0, (await PushAsync(bots[0], Document(changes, released: 0))).StatusChanges);
            var applied = 0;
            BotProcess? killed = null;
            var takeover = TimeSpan.Zero;
            Stopwatch? sinceKill = null;
            for (var k = 1; k <= changes; k++)
            {
                var killNow = k == changes / 2;
                BotProcess? leader = null;
                var (posted, created) = (0, 0);
                if (killNow)
                {
                    // Kill the leader mid-stream, once its dispatcher is visibly sending, and at the worst moment for Slack:
                    // a message is posted and Slack's answer is held back, so the row is still "sending" when it dies.
                    // The answers are held back before this change is pushed, so its two messages are certain to be
                    // caught mid-send even when the dispatcher has already delivered everything before it.
                    await Eventually.TrueAsync(() => discord.Messages.Count + slack.Messages.Count >= changes / 4, TimeSpan.FromSeconds(60), detail: () => string.Join("\n----\n", bots.Select(b => b.Output)));
                    leader = await LeaderAsync(bots) ?? throw new Xunit.Sdk.XunitException("no instance reports the lead");
                    slack.PostMessageAnswerDelay = TimeSpan.FromSeconds(60);
                    discord.MessageAnswerDelay = TimeSpan.FromSeconds(60);
                    (posted, created) = (slack.Messages.Count, discord.Messages.Count);
                }

                var alive = bots.Where(b => b != killed).ToList();
                var result = await PushAsync(alive[k % alive.Count], Document(changes, released: k));
                applied += result.StatusChanges;

                if (killNow)
                {
                    await Eventually.TrueAsync(() => slack.Messages.Count > posted && discord.Messages.Count > created, TimeSpan.FromSeconds(60), detail: () => leader!.Output);
                    var clock = Stopwatch.StartNew();
                    sinceKill = clock;
                    leader!.Kill();
                    slack.PostMessageAnswerDelay = TimeSpan.Zero;
                    discord.MessageAnswerDelay = TimeSpan.Zero;
                    killed = leader;
                    if (postgres)
                    {
                        var survivor = bots.Single(b => b != leader);
                        await Eventually.TrueAsync(async () => (await IsLeaderAsync(survivor)), TimeSpan.FromSeconds(30), detail: () => survivor.Output);
                        takeover = clock.Elapsed;
                    }
                    else
                    {
                        var restarted = BotProcess.Start(root, [.. args]);
                        bots.Add(restarted);
                        Assert.True(await restarted.WaitHealthyAsync(TimeSpan.FromSeconds(90)), restarted.Output);
                        takeover = clock.Elapsed;
                    }
                    output.WriteLine($"{provider}: leader killed after {discord.Messages.Count} Discord and {slack.Messages.Count} Slack messages; the next instance led after {takeover.TotalSeconds:0.0} s");
                }
            }
            Assert.Equal(changes, applied);

            await Eventually.TrueAsync(() => discord.Messages.Count >= changes && slack.Messages.Count >= changes, TimeSpan.FromSeconds(120), detail: () => $"discord {discord.Messages.Count}, slack {slack.Messages.Count}\n" + string.Join("\n----\n", bots.Select(b => b.Output)));
            // The two rows the dead leader had mid-send exist as messages already; they are resent (Discord, answered from
            // its nonce) or found in the history (Slack) at once under the new leader's term. Wait for every row to be stored sent.
            var expectedStates = new Dictionary<string, long> { ["sent"] = 2L * changes };
            // Bounded far below the 10-minute lease: a new leader that waited for the dead one's lease never gets here.
            Dictionary<string, long> states = [];
            await Eventually.TrueAsync(async () =>
            {
                states = postgres ? await PostgresStatesAsync(database!) : SqliteStates(root);
                return states.Count == 1 && states.GetValueOrDefault("sent") == 2L * changes;
            }, TimeSpan.FromSeconds(90), because: "every row stored sent long before the dead leader's 10-minute lease ends",
                detail: () => string.Join(", ", states.Select(s => $"{s.Key} {s.Value}")));
            output.WriteLine($"{provider}: every change delivered and stored sent {sinceKill!.Elapsed.TotalSeconds:0.0} s after the kill (lease 10 min)");
            // Every row is stored sent, so nothing is left to send: a late duplicate would be in the fakes by now.

            // Delivered: exactly one message per (channel, case) on both platforms, each in the channel that watches it.
            var discordCases = discord.Messages.Select(m => (m.ChannelId, Case: CaseOf(m.Body.ToJsonString()))).ToList();
            var slackCases = slack.Messages.Select(m => (m.Channel, Case: CaseOf(m.Body.GetRawText()))).ToList();
            Assert.Equal(changes, discordCases.Count);
            Assert.Equal(changes, discordCases.Distinct().Count());
            Assert.All(discordCases, m => Assert.Equal(DiscordChannel(Index(m.Case) % Channels), m.ChannelId));
            Assert.Equal(changes, slackCases.Count);
            Assert.Equal(changes, slackCases.Distinct().Count());
            Assert.All(slackCases, m => Assert.Equal(SlackChannel(Index(m.Case) % Channels), m.Channel));

            // The row that was mid-send on Discord was sent again with its nonce and answered with the existing message.
            Assert.True(discord.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal) && r.Status == 200) > changes,
                "a resend de-duplicated by its nonce");

            // The row that was mid-send on Slack was found in the channel's history by the instance that took over.
            var next = bots.Last(b => b != killed);
            var metrics = await next.Http.GetStringAsync("/metrics");
            Assert.True(Cluster.MetricsEndpointTests.HasSample(metrics, "detaineebot_alerts_history_checks_total", null, "platform=\"slack\"", "result=\"found\""), metrics);

            // Stored: every outbox row sent, none pending, mid-send or dead.
            Assert.Equal(expectedStates, states);
            output.WriteLine($"{provider}: {changes} changes, {discord.Messages.Count} Discord and {slack.Messages.Count} Slack messages, outbox {string.Join(", ", states)}; "
                + $"Discord create-message requests {discord.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal))} (a resend answered from its nonce counts here, not as a message), "
                + $"Slack history reads {slack.Calls("conversations.history")}, posts {slack.Calls("chat.postMessage")}");
        }
        finally
        {
            foreach (var bot in bots) await bot.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private sealed record PushResult(int StatusChanges);

    private static async Task<PushResult> PushAsync(BotProcess bot, string document)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await bot.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        return new PushResult(json.RootElement.GetProperty("statusChanges").GetInt32());
    }

    /// <summary>All cases; the first <paramref name="released"/> of them released, the others detained.</summary>
    private static string Document(int count, int released) =>
        "{\"cases\":[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $"{{\"id\":\"c-{i:D3}\",\"name\":\"Person {i:D3}\",\"status\":\"{(i < released ? "released" : "detained")}\",\"country\":\"Iran\"}}")) + "]}";

    private static string AppSettings(int changes)
    {
        var watchlists = Enumerable.Range(0, Channels).SelectMany(ch =>
        {
            var cases = Enumerable.Range(0, changes).Where(i => i % Channels == ch).Select(i => $"push:c-{i:D3}").ToArray();
            return new[]
            {
                new { Platform = "discord", ChannelId = DiscordChannel(ch), Cases = cases },
                new { Platform = "slack", ChannelId = SlackChannel(ch), Cases = cases },
            };
        }).Where(w => w.Cases.Length > 0);
        return JsonSerializer.Serialize(new
        {
            Sources = new[] { new { Name = "file", Type = "File", Path = "config/cases.json" } },
            Watchlists = watchlists,
            Logging = new { LogLevel = new Dictionary<string, string> { ["Default"] = "Warning" } },
        });
    }

    private static string DiscordChannel(int i) => (1_300_000_000_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string SlackChannel(int i) => $"C{i:D8}";

    private static string CaseOf(string json) => CaseId().Match(json) is { Success: true } m ? m.Value : throw new Xunit.Sdk.XunitException($"no case id in {json}");

    private static int Index(string caseId) => int.Parse(caseId[2..], System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"c-\d{3}")]
    private static partial Regex CaseId();

    private static async Task<BotProcess?> LeaderAsync(IEnumerable<BotProcess> bots)
    {
        foreach (var bot in bots)
        {
            if (await IsLeaderAsync(bot)) return bot;
        }
        return null;
    }

    private static async Task<bool> IsLeaderAsync(BotProcess bot)
    {
        try
        {
            using var response = await bot.Http.GetAsync("/healthz/detail");
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("leader").GetProperty("isLeader").GetBoolean();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return false;
        }
    }

    private static async Task<Dictionary<string, long>> PostgresStatesAsync(PostgresDatabase database)
    {
        var states = new Dictionary<string, long>();
        foreach (var state in new[] { "pending", "sending", "sent", "dead" })
        {
            var count = await database.ScalarAsync($"SELECT COUNT(*) FROM alert_outbox WHERE state = '{state}'");
            if (count > 0) states[state] = count;
        }
        return states;
    }

    private static Dictionary<string, long> SqliteStates(string root)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(root, "data", "detainee-alert-bot.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT state, COUNT(*) FROM alert_outbox GROUP BY state";
        using var reader = command.ExecuteReader();
        var states = new Dictionary<string, long>();
        while (reader.Read()) states[reader.GetString(0)] = reader.GetInt64(1);
        return states;
    }
}
