using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Text;
using DetaineeAlertBot.Adapters;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DetaineeAlertBot.Tests.Host;

/// <summary>The real host on 127.0.0.1 (port 0) in a temporary root folder of its own: its own
/// config/appsettings.json, feed file and SQLite file, with the console sink writing to a buffer the test reads.</summary>
internal sealed class BotTestHost : IAsyncDisposable
{
    private BotTestHost(string root, WebApplication app, SynchronizedWriter console, HttpClient http)
    {
        Root = root;
        App = app;
        Console = console;
        Http = http;
    }

    public string Root { get; }

    public WebApplication App { get; }

    public SynchronizedWriter Console { get; }

    public HttpClient Http { get; }

    /// <summary>False to keep the root (database, feed) for a restart in the same test.</summary>
    public bool DeleteRootOnDispose { get; set; } = true;

    public string FeedPath => Path.Combine(Root, "config", "cases.json");

    /// <summary>Creates a root folder with a feed and an appsettings.json, ready for <see cref="StartAsync"/>.</summary>
    public static string CreateRoot(string feedJson, string appsettingsJson = """{ "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ] }""")
    {
        var root = Directory.CreateTempSubdirectory("bot-host-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config"));
        File.WriteAllText(Path.Combine(root, "config", "appsettings.json"), appsettingsJson);
        File.WriteAllText(Path.Combine(root, "config", "cases.json"), feedJson);
        return root;
    }

    public static Task<BotTestHost> StartAsync(string root, params string[] args) => StartAsync(root, null, args);

    /// <param name="configure">Test hook run after the standard registrations (see <see cref="BotApplication.Build"/>).</param>
    public static async Task<BotTestHost> StartAsync(string root, Action<WebApplicationBuilder>? configure, params string[] args)
    {
        var console = new SynchronizedWriter();
        var allArgs = new List<string> { "--Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning" };
        allArgs.AddRange(args);
        var app = BotApplication.Build([.. allArgs], builder =>
        {
            builder.Services.RemoveAll<ConsoleAlertSink>();
            builder.Services.AddSingleton(new ConsoleAlertSink(console));
            configure?.Invoke(builder);
        }, root);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BotTestHost(root, app, console, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    /// <summary>True once every outbox row is stored sent (none pending or sending) and <paramref name="delivered"/> were:
    /// nothing is left that could still be sent, so a test may now assert that something was NOT sent (a duplicate, an
    /// alert for a refused document). Marking a row sent comes after its send, so a duplicate send shows by then.</summary>
    public static async Task<bool> AllSentAsync(IServiceProvider services, long delivered)
    {
        var stats = await services.GetRequiredService<IAlertOutbox>().GetStatsAsync(CancellationToken.None);
        return stats is { Pending: 0, Sending: 0 } && stats.Delivered == delivered;
    }

    /// <inheritdoc cref="AllSentAsync(IServiceProvider, long)"/>
    public Task<bool> AllSentAsync(long delivered) => AllSentAsync(App.Services, delivered);

    /// <summary>Replaces the feed the way editors do: write a temporary file, then rename it over the old one.</summary>
    public void ReplaceFeedAtomically(string json)
    {
        var temp = FeedPath + ".tmp";
        File.WriteAllText(temp, json);
        File.Move(temp, FeedPath, overwrite: true);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (!DeleteRootOnDispose) return;
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file watcher may still hold the folder for a moment; the temp folder is harmless.
        }
    }

    public static string Feed(params (string Id, string Name, string Status)[] cases) =>
        "{\"cases\":[" + string.Join(",", cases.Select(c => $"{{\"id\":\"{c.Id}\",\"name\":\"{c.Name}\",\"status\":\"{c.Status}\",\"country\":\"Afghanistan\"}}")) + "]}";
}

/// <summary>A StringWriter safe to read while the bot writes.</summary>
internal sealed class SynchronizedWriter : TextWriter
{
    private readonly StringBuilder _buffer = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_buffer) _buffer.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_buffer) _buffer.Append(value);
    }

    public string Text
    {
        get
        {
            lock (_buffer) return _buffer.ToString();
        }
    }

    public int Count(string needle)
    {
        var text = Text;
        var count = 0;
        for (var i = text.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = text.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
