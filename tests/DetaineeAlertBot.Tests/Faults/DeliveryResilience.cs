using System.Net.Http.Headers;
using System.Text;
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

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>What the delivery resilience test classes share (<see cref="PlatformPauseTests"/>, <see cref="RateLimitTests"/>,
/// <see cref="RetryOrderTests"/>, <see cref="ChannelAndNonceTests"/>): the ingest key, the watched and admin channels, the chat arguments and lookups.
/// Split into classes so xunit runs them in parallel; each test still starts its own bot, fakes and database.</summary>
internal static class DeliveryResilience
{
    public const string ApiKey = "test-ingest-key-0123456789";
    public const string SlackChannel = "C0ALERTS";
    public const string SlackAdmin = "C0ADMIN";
    public const string DiscordChannel = "645027906669510667";
    public const string DiscordAdmin = "645027906669510999";

    public static string[] SlackArgs(FakeSlackServer slack) =>
        [$"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}", $"--Alerts:AdminChannels=slack:{SlackAdmin}"];

    public static string[] DiscordArgs(FakeDiscordServer discord) =>
    [
        $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}", "--Discord:UseGateway=false", $"--Discord:PublicKey={discord.PublicKeyHex}",
        $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}", $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}",
        $"--Alerts:AdminChannels=discord:{DiscordAdmin}",
    ];

    public static FakeMessage[] SlackIn(FakeSlackServer slack, string channel) => slack.Messages.Where(m => m.Channel == channel).ToArray();

    public static string DeliveryIdOf(FakeMessage message) =>
        message.Body.GetProperty("metadata").GetProperty("event_payload").GetProperty("delivery_id").GetString()!;
}

/// <summary>A bot with its own root and database; <see cref="RestartAsync"/> keeps both.</summary>
internal sealed class DeliveryBot : IAsyncDisposable
{
    private readonly string _root;
    private readonly string[] _storage;
    private readonly PostgresDatabase? _postgres;
    private readonly Action<WebApplicationBuilder>? _configure;

    private DeliveryBot(string root, string[] storage, PostgresDatabase? postgres, Action<WebApplicationBuilder>? configure)
    {
        _root = root;
        _storage = storage;
        _postgres = postgres;
        _configure = configure;
    }

    public WebApplication App { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IAlertOutbox Outbox => App.Services.GetRequiredService<IAlertOutbox>();

    public static async Task<DeliveryBot> StartAsync(string provider, string watchPlatform, string watchChannel, Action<WebApplicationBuilder>? configure, params string[] args)
    {
        var root = Directory.CreateTempSubdirectory("delivery-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config"));
        File.WriteAllText(Path.Combine(root, "config", "cases.json"), BotTestHost.Feed(("f-1", "File Case", "detained")));
        File.WriteAllText(Path.Combine(root, "config", "appsettings.json"), $$"""
            {
              "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
              "Ingest": { "ApiKey": "{{DeliveryResilience.ApiKey}}" },
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
        var bot = new DeliveryBot(root, storage, postgres, configure);
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
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DeliveryResilience.ApiKey);
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
