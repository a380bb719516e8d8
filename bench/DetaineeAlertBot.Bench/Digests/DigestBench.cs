using System.Diagnostics;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Search;
using DetaineeAlertBot.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DetaineeAlertBot.Bench.Digests;

/// <summary>digest: assembling one digest from N collected changes (default 10,000) on a real store. Each run makes N
/// status changes of N watched cases, marks their rows collected as the card sink does, then times the production
/// DigestRunner queueing the due digest: read the collected rows, render, write the digest row and mark the rows taken,
/// in one transaction.</summary>
public sealed class DigestBench : IBenchCommand
{
    private const string Source = "bench";
    private const string Channel = "C0DIGEST";

    public string Name => "digest";

    public string Description => "one digest from N collected changes: queue + render + mark taken [--changes 10000] [--runs 5] [--provider sqlite|postgres] [--vacuum]";

    public async Task<int> RunAsync(string[] args)
    {
        var changes = BenchArgs.Int(args, "--changes", 10_000);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var provider = BenchArgs.String(args, "--provider", "sqlite");
        // PostgreSQL: changes collected over a day have been visited by autovacuum before their digest; rows marked a few
        // milliseconds earlier (as this bench makes them) have not, and cost the digest's update the dead versions.
        var vacuum = args.Contains("--vacuum");
        var directory = Directory.CreateTempSubdirectory("digest-bench-").FullName;
        string? postgresDatabase = null;
        StorageOptions options;
        if (provider == "postgres")
        {
            var admin = Environment.GetEnvironmentVariable("DETAINEEBOT_TEST_POSTGRES") ?? throw new InvalidOperationException("set DETAINEEBOT_TEST_POSTGRES for --provider postgres");
            postgresDatabase = "digest_bench_" + Guid.NewGuid().ToString("N")[..12];
            await ExecuteAsync(admin, $"CREATE DATABASE {postgresDatabase}");
            options = new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = postgresDatabase }.ToString() };
        }
        else
        {
            options = new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "bench.db")}" };
        }

        // Days in the past: PostgreSQL compares due times with its own clock, so every fake time must have passed there.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.Date.AddDays(-(runs + 5)).AddHours(6));
        try
        {
            var serviceCollection = new ServiceCollection().AddSingleton<TimeProvider>(time);
            // Every run changes every case again within minutes: flap damping would hold those changes.
            serviceCollection.AddSingleton(new FlapPolicy(0, TimeSpan.FromMinutes(10)));
            await using var services = serviceCollection.AddStorage(options).BuildServiceProvider();
            var store = services.GetRequiredService<ICaseStore>();
            await store.MigrateAsync(CancellationToken.None);
            var outbox = services.GetRequiredService<IAlertOutbox>();
            var digests = services.GetRequiredService<IDigestStore>();
            var watchlists = services.GetRequiredService<IWatchlistStore>();

            var cases = Enumerable.Range(0, changes).Select(i => new CaseRecord
            {
                Source = Source, Id = $"c{i:D6}", Name = $"Person {i:D6} Example", Status = CaseStatus.Detained, Country = i % 3 == 0 ? "Iran" : "Afghanistan",
            }).ToArray();
            await store.ApplyAsync(new SyncPlan(Source, time.GetUtcNow(), true, cases.Select(c => new CaseUpsert(c, ChangeKind.FirstSeen, null)).ToArray(), [], []), CancellationToken.None);
            await watchlists.SeedAsync(cases.Select(c => new WatchlistEntry("slack", Channel, Source, c.Id, "bench", time.GetUtcNow())).ToArray(), CancellationToken.None);
            Assert(DigestSchedule.TryParse("daily 09:00 Europe/Berlin", out var schedule, out _));
            await digests.SetAsync("slack", Channel, schedule, "bench", time.GetUtcNow(), CancellationToken.None);

            using var search = new CaseSearchIndex();
            var catalog = new CaseCatalog(search);
            catalog.Load(await store.LoadAsync(CancellationToken.None));
            var runner = new DigestRunner(digests, watchlists, services.GetRequiredService<IRuleStore>(), catalog, time, NullLogger<DigestRunner>.Instance);
            Console.WriteLine($"provider {provider}{(vacuum && postgresDatabase is not null ? " (vacuumed before each digest)" : "")}; {changes:N0} collected changes per digest; runs {runs}");

            var statuses = new[] { CaseStatus.Charged, CaseStatus.OnTrial, CaseStatus.Released };
            var queueTimes = new List<double>();
            var renderTimes = new List<double>();
            var current = CaseStatus.Detained;
            for (var run = 0; run < runs; run++)
            {
                // Collect: one status change per case, its row marked as the card sink marks a digest channel's rows.
                var next = statuses[run % statuses.Length];
                time.Advance(TimeSpan.FromHours(1));
                var previous = current;
                await store.ApplyAsync(new SyncPlan(Source, time.GetUtcNow(), false,
                    cases.Select(c => new CaseUpsert(c with { Status = next }, ChangeKind.StatusChanged, previous)).ToArray(), [], []), CancellationToken.None);
                current = next;
                var term = await outbox.BeginTermAsync(CancellationToken.None);
                var collected = 0;
                while (true)
                {
                    var batch = await outbox.ClaimAsync(new ClaimRequest(term, "bench", TimeSpan.FromMinutes(5), 1000, ["slack"]), CancellationToken.None);
                    if (batch.Items.Count == 0) break;
                    foreach (var item in batch.Items)
                    {
                        await outbox.MarkSentAsync(item.DeliveryId, term, item.Alert is null ? "posted" : IAlertOutbox.DigestExternalId, CancellationToken.None);
                        if (item.Alert is not null) collected++;
                    }
                }
                Assert(collected == changes);
                if (vacuum && postgresDatabase is not null) await ExecuteAsync(options.ConnectionString, "VACUUM (ANALYZE) alert_outbox");

                // Render alone, on the rows as the store reads them.
                var pending = await digests.ListCollectedAsync("slack", Channel, changes, CancellationToken.None);
                var render = Stopwatch.StartNew();
                var report = DigestText.Render(pending, time.GetUtcNow().AddDays(-1), schedule, []);
                renderTimes.Add(render.Elapsed.TotalMilliseconds);

                // The digest falls due: the runner queues it.
                time.Advance(TimeSpan.FromDays(1));
                var queue = Stopwatch.StartNew();
                var (queued, _) = await runner.RunOnceAsync(CancellationToken.None);
                queueTimes.Add(queue.Elapsed.TotalMilliseconds);
                Assert(queued == 1);
                Assert((await digests.ListCollectedAsync("slack", Channel, 1, CancellationToken.None)).Count == 0);
                Console.WriteLine($"run {run + 1}: queue {queueTimes[^1]:0.0} ms (render alone {renderTimes[^1]:0.0} ms); \"{report!.Title}\", {report.Lines.Count} lines");
            }
            Stats.Report($"digest from {changes:N0} collected changes: read + render + write + mark, one transaction", queueTimes);
            Stats.Report("render alone (DigestText.Render)", renderTimes);
            return 0;
        }
        finally
        {
            if (postgresDatabase is not null)
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync(Environment.GetEnvironmentVariable("DETAINEEBOT_TEST_POSTGRES")!, $"DROP DATABASE IF EXISTS {postgresDatabase} WITH (FORCE)");
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void Assert(bool condition)
    {
        if (!condition) throw new InvalidOperationException("digest bench: a check of the result failed");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
