using System.Text;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Tests.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Discord;

/// <summary>The real host on 127.0.0.1 (port 0) in a temporary root, talking to an in-process fake Discord.</summary>
internal sealed class DiscordHost : IAsyncDisposable
{
    public const string Guild = FakeDiscordServer.DefaultGuildId;
    public const string Channel = "645027906669510667";
    public const string AdminRole = "539082325061836999";

    public const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "discord", "ChannelId": "645027906669510667", "Cases": "af-1" } ]
        }
        """;

    private readonly bool _ownsFake;
    private readonly bool _ownsRoot;

    private DiscordHost(BotTestHostLike host, FakeDiscordServer fake, bool ownsFake, bool ownsRoot)
    {
        App = host.App;
        Http = host.Http;
        Root = host.Root;
        Fake = fake;
        _ownsFake = ownsFake;
        _ownsRoot = ownsRoot;
    }

    public WebApplication App { get; }
    public HttpClient Http { get; }
    public string Root { get; }
    public FakeDiscordServer Fake { get; }

    public static Task<DiscordHost> StartAsync(FakeDiscordServer? fake = null, params string[] extraArgs) => StartAsync(fake, null, extraArgs);

    /// <param name="configure">Test hook passed to <see cref="BotApplication.Build"/> (runs after the standard registrations).</param>
    public static Task<DiscordHost> StartAsync(FakeDiscordServer? fake, Action<WebApplicationBuilder>? configure, params string[] extraArgs) =>
        StartAsync(fake, configure, null, extraArgs);

    /// <summary>A host on an existing root (<see cref="NewRoot"/>), kept when the host stops: the same bot started again.</summary>
    public static Task<DiscordHost> RestartInAsync(string root, FakeDiscordServer fake, Action<WebApplicationBuilder>? configure, params string[] extraArgs) =>
        StartAsync(fake, configure, root, extraArgs);

    /// <summary>The root every host starts with (two cases, af-1 watched in <see cref="Channel"/>), for <see cref="RestartInAsync"/>.</summary>
    public static string NewRoot() => BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained"), ("ir-2", "Amir Amini", "detained")), Settings);

    private static async Task<DiscordHost> StartAsync(FakeDiscordServer? fake, Action<WebApplicationBuilder>? configure, string? existingRoot, string[] extraArgs)
    {
        var ownsFake = fake is null;
        fake ??= await FakeDiscordServer.StartAsync();
        var root = existingRoot ?? NewRoot();
        var args = new List<string>
        {
            "--Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}",
            $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
            $"--Discord:PublicKey={fake.PublicKeyHex}",
            $"--Discord:CommandGuildIds={Guild}",
            $"--Discord:AdminRoleIds={AdminRole}",
        };
        args.AddRange(extraArgs);
        var app = BotApplication.Build([.. args], configure, root);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
        return new DiscordHost(new BotTestHostLike(app, http, root), fake, ownsFake, ownsRoot: existingRoot is null);
    }

    /// <summary>An interaction body signed with the fake application's key, optionally tampered after signing.</summary>
    /// <param name="signedAt">The timestamp signed and sent (default now): Discord's, so an old one is a replay.</param>
    public HttpRequestMessage Signed(string body, Func<string, string>? tamperBody = null, string? timestampOverride = null, bool sign = true,
        DateTimeOffset? signedAt = null)
    {
        var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Fake.Sign(timestamp, Encoding.UTF8.GetBytes(body));
        var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions")
        {
            Content = new StringContent(tamperBody?.Invoke(body) ?? body, Encoding.UTF8, "application/json"),
        };
        if (sign)
        {
            request.Headers.Add("X-Signature-Ed25519", signature);
            request.Headers.Add("X-Signature-Timestamp", timestampOverride ?? timestamp);
        }

        return request;
    }

    /// <summary>An APPLICATION_COMMAND (or AUTOCOMPLETE) interaction shaped like the docs' guild example.</summary>
    /// <param name="optionName">The name of the option that carries <paramref name="query"/>.</param>
    public static string Command(string command, string subcommand, string? query, string permissions = "3072", string[]? roles = null,
        bool autocomplete = false, string id = "1300000000000000001", string guildId = Guild,
        string channelId = Channel, string optionName = "query")
    {
        var options = new JsonArray();
        if (query is not null)
        {
            var option = new JsonObject { ["type"] = 3, ["name"] = optionName, ["value"] = query };
            if (autocomplete)
            {
                option["focused"] = true;
            }

            options.Add(option);
        }

        var interaction = new JsonObject
        {
            ["id"] = id,
            ["application_id"] = FakeDiscordServer.DefaultApplicationId,
            ["type"] = autocomplete ? 4 : 2,
            ["token"] = "fake-interaction-token-" + id,
            ["version"] = 1,
            ["guild_id"] = guildId,
            ["channel_id"] = channelId,
            ["app_permissions"] = "442368",
            ["member"] = new JsonObject
            {
                ["user"] = new JsonObject { ["id"] = "53908232506183680", ["username"] = "mason" },
                ["roles"] = new JsonArray((roles ?? []).Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
                ["permissions"] = permissions,
            },
            ["data"] = new JsonObject
            {
                ["id"] = "1250000000000000000",
                ["name"] = command,
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject { ["type"] = 1, ["name"] = subcommand, ["options"] = options }),
            },
        };
        return interaction.ToJsonString();
    }

    /// <summary>The same command sent in a direct message: no guild_id and no member, a user instead (as Discord sends it).</summary>
    public static string DirectMessage(string command, string subcommand, string? query, bool autocomplete = false, string id = "1300000000000000002")
    {
        var interaction = JsonNode.Parse(Command(command, subcommand, query, autocomplete: autocomplete, id: id))!.AsObject();
        interaction.Remove("guild_id");
        interaction.Remove("member");
        interaction["user"] = new JsonObject { ["id"] = "53908232506183681", ["username"] = "stranger" };
        interaction["channel_id"] = "645027906669519999";
        return interaction.ToJsonString();
    }

    /// <summary>The /healthz/detail body, whatever the status code.</summary>
    public async Task<string> HealthAsync()
    {
        using var response = await Http.GetAsync("/healthz/detail");
        return await response.Content.ReadAsStringAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_ownsFake)
        {
            await Fake.DisposeAsync();
        }

        if (!_ownsRoot) return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A watcher may still hold the folder; the temp folder is harmless.
        }
    }

    private sealed record BotTestHostLike(WebApplication App, HttpClient Http, string Root);
}
