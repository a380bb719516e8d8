using System.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Bench.Outbox;

/// <summary>outbox-growth: the real bot on a SQLite outbox holding N delivered rows (default 1,000,000). Times
/// GET /healthz/detail (which counts the outbox) and then prunes every row through PruneDeliveredAsync in batches of
/// <see cref="Workers.OutboxPruneService.BatchSize"/>, reporting the prune rate.</summary>
public sealed class OutboxGrowthBench : IBenchCommand
{
    public string Name => "outbox-growth";

    public string Description => "/healthz/detail with N delivered outbox rows (--rows 1000000, --requests 200), then the prune rate";

    public async Task<int> RunAsync(string[] args)
    {
        var rows = BenchArgs.Int(args, "--rows", 1_000_000);
        var requests = BenchArgs.Int(args, "--requests", 200);
        var root = Directory.CreateTempSubdirectory("outbox-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "config"));
        await File.WriteAllTextAsync(Path.Combine(root, "config", "cases.json"), """{ "cases": [] }""");
        await File.WriteAllTextAsync(Path.Combine(root, "config", "appsettings.json"),
            """{ "Sources": [ { "Name": "bench", "Type": "File", "Path": "config/cases.json" } ], "Watchlists": [] }""");
        var database = Path.Combine(root, "bot.db");
        string[] hostArgs = ["--Urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", $"--Storage:ConnectionString=Data Source={database}",
            // The bot's own pruner must not run while /healthz/detail is timed: prune below, explicitly, with the default 30 days.
            "--Alerts:Retention=3650.00:00:00"];
        try
        {
            // Start once to migrate, then fill the outbox with delivered rows sent 60 days ago (older than the retention).
            await using (var first = BotApplication.Build(hostArgs, null, root))
            {
                await first.StartAsync();
                await first.StopAsync();
            }
            SqliteConnection.ClearAllPools();
            var fill = Stopwatch.StartNew();
            await using (var connection = new SqliteConnection($"Data Source={database}"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                var sentAt = DateTime.UtcNow.AddDays(-60).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);
                command.CommandText = $"""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
                    INSERT INTO alert_outbox (delivery_id, kind, history_id, platform, channel_id, case_source, case_id, payload_json, state, attempts,
                        next_attempt_at, created_at, sent_at, external_id)
                    SELECT printf('bench%019d', i), 'alert', NULL, 'discord', 'c' || (i % 50), 'bench', 'case' || (i % 5000), '{"{}"}', 'sent', 0,
                        '{sentAt}', '{sentAt}', '{sentAt}', 'm' || i FROM n;
                    INSERT INTO outbox_delivered (platform, delivered) VALUES ('discord', {rows})
                        ON CONFLICT (platform) DO UPDATE SET delivered = delivered + {rows};
                    """;
                await command.ExecuteNonQueryAsync();
            }
            Console.WriteLine($"filled {rows:N0} delivered rows in {fill.Elapsed.TotalSeconds:0.0} s");
            SqliteConnection.ClearAllPools();

            await using var app = BotApplication.Build(hostArgs, null, root);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            for (var i = 0; i < 20; i++) (await http.GetAsync("/healthz/detail")).Dispose(); // warm-up
            var times = new List<double>(requests);
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync("/healthz/detail");
                await response.Content.ReadAsStringAsync();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            Stats.Report($"GET /healthz/detail with {rows:N0} delivered rows ({requests} requests)", times);

            var outbox = app.Services.GetRequiredService<IAlertOutbox>();
            var retention = new AlertOptions().Retention;
            var prune = Stopwatch.StartNew();
            long pruned = 0;
            int deleted;
            do
            {
                deleted = await outbox.PruneDeliveredAsync(retention, Workers.OutboxPruneService.BatchSize, CancellationToken.None);
                pruned += deleted;
            }
            while (deleted > 0);
            Console.WriteLine($"pruned {pruned:N0} rows in {prune.Elapsed.TotalSeconds:0.0} s: {pruned / prune.Elapsed.TotalSeconds:N0} rows/s "
                + $"in batches of {Workers.OutboxPruneService.BatchSize}");
            var stats = await outbox.GetStatsAsync(CancellationToken.None);
            Console.WriteLine($"after pruning: delivered counter {stats.Delivered:N0} (kept), pending {stats.Pending}, dead {stats.Dead}");
            await app.StopAsync();
            return pruned == rows ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }
}
