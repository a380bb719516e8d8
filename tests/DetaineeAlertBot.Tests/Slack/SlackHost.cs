using DetaineeAlertBot.Tests.Host;
using DetaineeAlertBot.Core.Sync;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using DetaineeAlertBot.Slack.Fake;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace DetaineeAlertBot.Tests.Slack;

/// <summary>The real host on 127.0.0.1 (port 0) with a temporary SQLite file, talking to an in-process fake Slack.</summary>
internal sealed class SlackHost : IAsyncDisposable
{
    public const string SigningSecret = "fake-signing-secret-for-tests";
    public const string AdminUserId = "UADMIN1";

    private readonly string _directory;

    private SlackHost(WebApplication app, FakeSlackServer slack, string directory, HttpClient http)
    {
        App = app;
        Slack = slack;
        _directory = directory;
        Http = http;
    }

    public WebApplication App { get; }

    public FakeSlackServer Slack { get; }

    public HttpClient Http { get; }

    public static Task<SlackHost> StartAsync(bool socketMode = true, bool httpCommands = true, params string[] extraArgs) =>
        StartAsync(root: null, socketMode, httpCommands, extraArgs);

    /// <param name="root">A folder with its own config/ (see <see cref="CreateRoot"/>), or null for the repository's.</param>
    public static Task<SlackHost> StartAsync(string? root, bool socketMode, bool httpCommands, params string[] extraArgs) =>
        StartAsync(root, null, socketMode, httpCommands, extraArgs);

    /// <param name="configure">Test hook passed to <see cref="BotApplication.Build"/> (runs after the standard registrations),
    /// e.g. a FakeTimeProvider for the bot's clock.</param>
    public static async Task<SlackHost> StartAsync(string? root, Action<WebApplicationBuilder>? configure, bool socketMode, bool httpCommands,
        params string[] extraArgs)
    {
        var slack = await FakeSlackServer.StartAsync();
        var directory = root ?? Directory.CreateTempSubdirectory("slack-host-").FullName;
        var args = new List<string>
        {
            "--Urls=http://127.0.0.1:0",
            $"--Storage:ConnectionString=Data Source={Path.Combine(directory, "bot.db")}",
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}",
            $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
            $"--Slack:AdminUserIds={AdminUserId}",
            "--Logging:LogLevel:Default=Warning",
        };
        if (socketMode)
        {
            args.Add($"--Slack:AppToken={FakeSlackServer.DefaultAppToken}");
        }

        if (httpCommands)
        {
            args.Add($"--Slack:SigningSecret={SigningSecret}");
        }

        args.AddRange(extraArgs);
        var app = BotApplication.Build([.. args], configure, root);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SlackHost(app, slack, directory, new HttpClient { BaseAddress = new Uri(address) });
    }

    /// <summary>A temporary root with config/appsettings.json and a feed at config/cases.json.</summary>
    public static string CreateRoot(string settingsJson, string feedJson)
    {
        var root = Directory.CreateTempSubdirectory("slack-root-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config"));
        File.WriteAllText(Path.Combine(root, "config", "appsettings.json"), settingsJson);
        File.WriteAllText(Path.Combine(root, "config", "cases.json"), feedJson);
        return root;
    }

    /// <summary>Replaces the feed the way editors do: write a temporary file, then rename it over the old one.</summary>
    public static void ReplaceFeed(string root, string feedJson)
    {
        var path = Path.Combine(root, "config", "cases.json");
        File.WriteAllText(path + ".tmp", feedJson);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>A form-encoded slash command signed the way Slack signs it.</summary>
    public static HttpRequestMessage SignedCommand(string command, string text, string userId = "U111", long? timestamp = null,
        string secret = SigningSecret, string? tamper = null, string responseUrl = "https://hooks.slack.invalid/commands/1",
        string teamId = FakeSlackServer.TeamId, string appId = FakeSlackServer.AppId, string channelId = "C111")
    {
        var body = $"token=fake-verification-token&team_id={teamId}&team_domain=fake&channel_id={channelId}&channel_name=random"
            + $"&user_id={userId}&user_name=someone&command={Uri.EscapeDataString(command)}&text={Uri.EscapeDataString(text)}"
            + $"&api_app_id={appId}&response_url={Uri.EscapeDataString(responseUrl)}&trigger_id=1.2.3";
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{ts}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, "/slack/commands")
        {
            Content = new StringContent(body + (tamper ?? ""), Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    /// <summary>The reply a user finally sees to a signed POST /slack/commands: the HTTP answer, or, when the bot deferred
    /// ("Working on it…"), its response_url post. Either is correct; which one depends on how busy the machine is.</summary>
    public async Task<JsonElement> CommandOverHttpAsync(string command, string text, string userId, string channelId = "C111")
    {
        var responseUrl = Slack.NewResponseUrl();
        using var response = await Http.SendAsync(SignedCommand(command, text, userId, responseUrl: responseUrl, channelId: channelId));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return await FinalReplyAsync(reply, responseUrl);
    }

    /// <summary>The reply a user finally sees to a slash_commands envelope over Socket Mode: the ack's payload, or, when the
    /// bot deferred, its response_url post.</summary>
    public async Task<JsonElement> CommandOverSocketAsync(FakeSocket socket, string command, string text, string userId, string channelId = "C111")
    {
        var responseUrl = Slack.NewResponseUrl();
        var envelope = "env-" + Guid.NewGuid().ToString("N");
        await socket.SendSlashCommandAsync(envelope, command, text, userId, channelId, responseUrl);
        var ack = await socket.WaitForAckAsync(envelope, CommandWait);
        return await FinalReplyAsync(ack.GetProperty("payload").Clone(), responseUrl);
    }

    /// <summary>Every string in a Slack message or reply (text and blocks), decoded, one per line.</summary>
    public static string AllText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Object => string.Join("\n", element.EnumerateObject().Select(p => AllText(p.Value))),
        JsonValueKind.Array => string.Join("\n", element.EnumerateArray().Select(AllText)),
        _ => "",
    };

    private static readonly TimeSpan CommandWait = TimeSpan.FromSeconds(60);

    private async Task<JsonElement> FinalReplyAsync(JsonElement reply, string responseUrl) =>
        reply.GetProperty("text").GetString()!.StartsWith("Working on it", StringComparison.Ordinal)
            ? await Slack.WaitForResponseUrlPostAsync(responseUrl, CommandWait)
            : reply;

    /// <summary>Returns once the first feed document is in the catalog, so lookups have something to find.</summary>
    public async Task WaitForCasesAsync() =>
        await Eventually.TrueAsync(() => App.Services.GetRequiredService<CaseCatalog>().Count > 0, TimeSpan.FromSeconds(60), because: "the sample feed in the catalog");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Slack.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
