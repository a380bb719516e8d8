using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Cluster;
using DetaineeAlertBot.Tests.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>Nothing lost, nothing silent: real bots against the fake Discord and Slack servers over loopback sockets,
/// on real SQLite files and (in CI) a real PostgreSQL database. Changes arrive by push ingest.</summary>
public sealed class DeliveryResilienceTests
{
    private const string ApiKey = "test-ingest-key-0123456789";
    private const string SlackChannel = "C0ALERTS";
    private const string SlackAdmin = "C0ADMIN";
    private const string DiscordChannel = "645027906669510667";
    private const string DiscordAdmin = "645027906669510999";

    /// <summary>A bot with its own root and database; <see cref="RestartAsync"/> keeps both.</summary>
    private sealed class Bot : IAsyncDisposable
    {
        private readonly string _root;
        private readonly string[] _storage;
        private readonly PostgresDatabase? _postgres;
        private readonly Action<WebApplicationBuilder>? _configure;

        private Bot(string root, string[] storage, PostgresDatabase? postgres, Action<WebApplicationBuilder>? configure)
        {
            _root = root;
            _storage = storage;
            _postgres = postgres;
            _configure = configure;
        }

        public WebApplication App { get; private set; } = null!;

        public HttpClient Http { get; private set; } = null!;

        public IAlertOutbox Outbox => App.Services.GetRequiredService<IAlertOutbox>();

        public static async Task<Bot> StartAsync(string provider, string watchPlatform, string watchChannel, Action<WebApplicationBuilder>? configure, params string[] args)
        {
            var root = Directory.CreateTempSubdirectory("delivery-").FullName;
            Directory.CreateDirectory(Path.Combine(root, "config"));
            File.WriteAllText(Path.Combine(root, "config", "cases.json"), BotTestHost.Feed(("f-1", "File Case", "detained")));
            File.WriteAllText(Path.Combine(root, "config", "appsettings.json"), $$"""
                {
                  "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
                  "Ingest": { "ApiKey": "{{ApiKey}}" },
                  "Watchlists": [ { "Platform": "{{watchPlatform}}", "ChannelId": "{{watchChannel}}", "Cases": [ "push:af-1", "push:af-2" ] } ]
                }
                """);
            PostgresDatabase? postgres = null;
            string[] storage;
            if (provider == "Postgres")
            {
                postgres = await PostgresDatabase.CreateAsync();
                storage = ["--Storage:Provider=Postgres", $"--Storage:ConnectionString={postgres.ConnectionString}"];
            }
            else
            {
                storage = [$"--Storage:ConnectionString=Data Source={Path.Combine(root, "bot.db")}"];
            }
            var bot = new Bot(root, storage, postgres, configure);
            await bot.BootAsync(args);
            return bot;
        }

        public async Task RestartAsync(params string[] args)
        {
            await StopAsync();
            await BootAsync(args);
        }

        private async Task BootAsync(string[] args)
        {
            string[] all = ["--Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Alerts:PlatformProbeInterval=00:00:01",
                "--Alerts:RetryBaseDelay=00:00:01", .. _storage, .. args];
            App = BotApplication.Build(all, _configure, _root);
            await App.StartAsync();
            var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        }

        public async Task PushAsync(params (string Id, string Name, string Status)[] cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases")
            {
                Content = new StringContent(BotTestHost.Feed(cases), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
            using var response = await Http.SendAsync(request);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }

        /// <summary>The /healthz/detail body, also when it is 503 (unhealthy).</summary>
        public async Task<string> HealthAsync()
        {
            using var response = await Http.GetAsync("/healthz/detail");
            return await response.Content.ReadAsStringAsync();
        }

        public async Task<string> StatusAsync()
        {
            using var response = await Http.GetAsync("/healthz");
            return await response.Content.ReadAsStringAsync();
        }

        private async Task StopAsync()
        {
            Http?.Dispose();
            if (App is not null)
            {
                await App.StopAsync();
                await App.DisposeAsync();
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            if (_postgres is not null) await _postgres.DisposeAsync();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a closing handle: the temp folder is cleaned by the OS.
            }
        }
    }

    private static string[] SlackArgs(FakeSlackServer slack) =>
        [$"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}", $"--Alerts:AdminChannels=slack:{SlackAdmin}"];

    private static string[] DiscordArgs(FakeDiscordServer discord) =>
    [
        $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}", "--Discord:UseGateway=false", $"--Discord:PublicKey={discord.PublicKeyHex}",
        $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}", $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}",
        $"--Alerts:AdminChannels=discord:{DiscordAdmin}",
    ];

    private static FakeMessage[] SlackIn(FakeSlackServer slack, string channel) => slack.Messages.Where(m => m.Channel == channel).ToArray();

    private static string DeliveryIdOf(FakeMessage message) =>
        message.Body.GetProperty("metadata").GetProperty("event_payload").GetProperty("delivery_id").GetString()!;

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task MissingSlackToken_AlertWaitsUnprintedAndUnhealthy_ThenTheRestoredTokenDeliversItExactlyOnce(string provider)
    {
        await using var slack = await FakeSlackServer.StartAsync();
        await using var bot = await Bot.StartAsync(provider, "slack", SlackChannel, null);
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
        await using var bot = await Bot.StartAsync(provider, "slack", SlackChannel, null, SlackArgs(slack));
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
        await using var bot = await Bot.StartAsync(provider, "discord", DiscordChannel, null, DiscordArgs(discord));
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

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task TwentyRateLimitsInARow_DeliverOnceAndSpendNoAttempt(string provider)
    {
        await using var slack = await FakeSlackServer.StartAsync();
        slack.PerChannelInterval = null;
        await using var bot = await Bot.StartAsync(provider, "slack", SlackChannel, null, SlackArgs(slack));
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        for (var i = 0; i < 20; i++) slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(1));
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(() => SlackIn(slack, SlackChannel).Length == 1, TimeSpan.FromSeconds(90));
        Assert.True(slack.Calls("chat.postMessage") >= 21, $"{slack.Calls("chat.postMessage")} posts for one alert");
        var row = await bot.Outbox.FindAsync(DeliveryIdOf(Assert.Single(SlackIn(slack, SlackChannel))), CancellationToken.None);
        await Eventually.TrueAsync(async () => (await bot.Outbox.FindAsync(row!.DeliveryId, CancellationToken.None))!.State == OutboxState.Sent);
        Assert.Equal(0, (await bot.Outbox.FindAsync(row!.DeliveryId, CancellationToken.None))!.Attempts);
        Assert.Equal(0L, (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead);
    }

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task DeletedChannel_PausesAndReportsOnce_AndDeadLettersOnlyAfterGiveUpAfter(string provider)
    {
        // SQLite compares on the bot's clock (fake here, moved by two days); PostgreSQL on its own (a short GiveUpAfter).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sqlite = provider == "Sqlite";
        await using var discord = await FakeDiscordServer.StartAsync();
        discord.UnknownChannels[DiscordChannel] = true;
        await using var bot = await Bot.StartAsync(provider, "discord", DiscordChannel,
            sqlite ? builder => builder.Services.AddSingleton<TimeProvider>(time) : null,
            [.. DiscordArgs(discord), $"--Alerts:GiveUpAfter={(sqlite ? "2.00:00:00" : "00:00:04")}", "--Alerts:ChannelRetryInterval=00:00:01"]);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(() => discord.Messages.Any(m => m.ChannelId == DiscordAdmin), TimeSpan.FromSeconds(20));
        var report = Assert.Single(discord.Messages, m => m.ChannelId == DiscordAdmin).Body.ToJsonString();
        Assert.Contains($"Cannot post to discord channel {DiscordChannel}", report, StringComparison.Ordinal);
        Assert.Contains("Unknown Channel", report, StringComparison.Ordinal);
        var pauses = await bot.Outbox.GetPausesAsync(CancellationToken.None);
        Assert.Contains(pauses, p => p.Platform == "discord" && p.ChannelId == DiscordChannel);
        Assert.Equal(0L, (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead);

        if (sqlite)
        {
            // Each send is settled (the row back to waiting, the pause's next check set from the current fake time)
            // before the clock moves, else the next check would be set after the jump and never come due.
            async Task SettledAfterAsync(int sends) => await Eventually.TrueAsync(async () =>
                discord.Requests.Count(r => r.Path == $"/api/v10/channels/{DiscordChannel}/messages") >= sends
                && (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Sending == 0
                && (await bot.Outbox.GetPausesAsync(CancellationToken.None)).Any(p => p.ChannelId == DiscordChannel && p.NextCheckAt > time.GetUtcNow()),
                TimeSpan.FromSeconds(20), because: $"send {sends} to the deleted channel settled");

            // Retried while the clock stands still: still no dead letter, still one report.
            await SettledAfterAsync(1);
            time.Advance(TimeSpan.FromDays(1));
            await SettledAfterAsync(2);
            Assert.Equal(0L, (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead);
            time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        }

        await Eventually.TrueAsync(async () => (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead == 1, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => discord.Messages.Count(m => m.ChannelId == DiscordAdmin) == 2, TimeSpan.FromSeconds(20));
        var dead = Assert.Single(await bot.Outbox.ListDeadAsync(10, CancellationToken.None));
        Assert.Contains("GiveUpAfter", dead.LastError, StringComparison.Ordinal);
        var deadReport = discord.Messages.Where(m => m.ChannelId == DiscordAdmin).Last().Body.ToJsonString();
        Assert.Contains($"/alerts retry id:{dead.DeliveryId}", deadReport, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => (await bot.StatusAsync()).Contains("degraded", StringComparison.Ordinal), TimeSpan.FromSeconds(10), detail: () => bot.StatusAsync());
        Assert.DoesNotContain(discord.Messages, m => m.ChannelId == DiscordChannel);
    }

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task FirstSendFails_TheNewerChangeOfTheSameCaseWaitsForIt(string provider)
    {
        await using var discord = await FakeDiscordServer.StartAsync();
        await using var bot = await Bot.StartAsync(provider, "discord", DiscordChannel, null, DiscordArgs(discord));
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
    [Fact]
    public async Task DiscordAnswerLost_ResentAfterTheNonceWindow_FindsTheFirstMessageInsteadOfPostingAgain()
    {
        // SQLite on the bot's fake clock, shared with the fake Discord, so the nonce can expire without waiting minutes.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var discord = await FakeDiscordServer.StartAsync();
        discord.Clock = time;
        await using var bot = await Bot.StartAsync("Sqlite", "discord", DiscordChannel, builder => builder.Services.AddSingleton<TimeProvider>(time),
            [.. DiscordArgs(discord), "--Alerts:RetryBaseDelay=00:05:00"]);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        // The message is created, but its answer and the answers to the client's 3 retries are lost.
        discord.LoseMessageAnswers = 4;
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        var posts = () => discord.Requests.Count(r => r.Method == "POST" && r.Path == $"/api/v10/channels/{DiscordChannel}/messages");
        await Eventually.TrueAsync(() =>
        {
            if (posts() == 4 && discord.Messages.Count(m => m.ChannelId == DiscordChannel) == 1) return true;
            time.Advance(TimeSpan.FromSeconds(1)); // the client's retries back off on the fake clock
            return false;
        }, TimeSpan.FromSeconds(30), detail: () => string.Join("\n", discord.Requests.Select(r => $"{r.Method} {r.Path} {r.Status}")));
        var message = Assert.Single(discord.Messages, m => m.ChannelId == DiscordChannel);
        await Eventually.TrueAsync(async () => (await bot.Outbox.FindAsync(message.Nonce!, CancellationToken.None)) is { State: OutboxState.Pending, Attempts: 1 });

        // Past the next attempt (4-5 minutes) and Discord's nonce window: a plain resend would post a second message.
        time.Advance(TimeSpan.FromMinutes(10));

        await Eventually.TrueAsync(async () => (await bot.Outbox.FindAsync(message.Nonce!, CancellationToken.None))?.State == OutboxState.Sent, TimeSpan.FromSeconds(20));
        var row = await bot.Outbox.FindAsync(message.Nonce!, CancellationToken.None);
        Assert.Equal(message.Id, row!.ExternalId);
        Assert.Single(discord.Messages, m => m.ChannelId == DiscordChannel);
        Assert.Equal(4, posts());
        Assert.Contains(discord.Requests, r => r.Method == "GET" && r.Path == $"/api/v10/channels/{DiscordChannel}/messages");
    }
}
