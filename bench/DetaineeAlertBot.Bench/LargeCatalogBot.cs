using System.Diagnostics;
using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Bench;

/// <summary>The real host (<see cref="BotApplication"/>) in a temporary root whose file source holds a large synthetic
/// feed, started and waited for until every case is loaded: what the chat latency benches measure against.</summary>
internal sealed class LargeCatalogBot : IAsyncDisposable
{
    private readonly string _root;

    private LargeCatalogBot(string root, WebApplication app, IReadOnlyList<CaseRecord> cases, TimeSpan loadTime)
    {
        _root = root;
        App = app;
        Cases = cases;
        LoadTime = loadTime;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public WebApplication App { get; }

    public IReadOnlyList<CaseRecord> Cases { get; }

    public TimeSpan LoadTime { get; }

    public HttpClient Http { get; }

    /// <param name="platformArgs">Extra command-line settings, e.g. the chat platform's tokens and fake base URL.</param>
    public static async Task<LargeCatalogBot> StartAsync(string name, int caseCount, IEnumerable<string> platformArgs)
    {
        var root = Directory.CreateTempSubdirectory($"{name}-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config"));
        var cases = SyntheticCases.Generate(caseCount).Select((c, i) => c with { Source = "bench", Id = $"c{i:D6}" }).ToArray();
        await File.WriteAllBytesAsync(Path.Combine(root, "config", "cases.json"), FeedDocument(cases));
        await File.WriteAllTextAsync(Path.Combine(root, "config", "appsettings.json"),
            """{ "Sources": [ { "Name": "bench", "Type": "File", "Path": "config/cases.json" } ], "Watchlists": [] }""");

        var started = Stopwatch.GetTimestamp();
        var app = BotApplication.Build(
        [
            "--Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Storage:ConnectionString=Data Source={Path.Combine(root, "bot.db")}",
            .. platformArgs,
        ], root: root);
        await app.StartAsync();
        var catalog = app.Services.GetRequiredService<CaseCatalog>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        while (catalog.Count < caseCount)
        {
            await Task.Delay(200, timeout.Token);
        }
        return new LargeCatalogBot(root, app, cases, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>A feed document in the contract's shape.</summary>
    public static byte[] FeedDocument(IEnumerable<CaseRecord> cases)
    {
        var builder = new StringBuilder("{\"cases\":[");
        var first = true;
        foreach (var record in cases)
        {
            if (!first) builder.Append(',');
            builder.Append(CaseJson.Serialize(record));
            first = false;
        }
        return Encoding.UTF8.GetBytes(builder.Append("]}").ToString());
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }
}
