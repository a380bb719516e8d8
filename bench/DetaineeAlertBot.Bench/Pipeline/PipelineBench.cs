using System.Diagnostics;
using System.Text;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Search;
using DetaineeAlertBot.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Bench.Pipeline;

/// <summary>Ingest + diff of a 100,000-case document through the production pipeline (parser, planner, catalog with
/// the search index, real store): baseline, a document with 1% of statuses changed, and the same document again.</summary>
public sealed class PipelineBench : IBenchCommand
{
    public string Name => "pipeline";

    public string Description => "ingest+diff of a 100k-case feed: baseline, 1% statuses changed, unchanged [--cases N] [--runs N] [--provider sqlite|postgres]";

    public async Task<int> RunAsync(string[] args)
    {
        var count = BenchArgs.Int(args, "--cases", 100_000);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var provider = BenchArgs.String(args, "--provider", "sqlite");
        // --db PATH keeps the SQLite file: a second run on it starts like a restarted bot (catalog loaded from the
        // store, no baseline in this process), so its peak memory is the steady state of a bot holding 100k cases.
        var keptDb = BenchArgs.String(args, "--db", "");
        var directory = Directory.CreateTempSubdirectory("pipeline-bench-").FullName;
        var options = provider == "postgres"
            ? new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = Environment.GetEnvironmentVariable("DETAINEEBOT_TEST_POSTGRES") ?? throw new InvalidOperationException("set DETAINEEBOT_TEST_POSTGRES for --provider postgres") }
            : new StorageOptions { ConnectionString = $"Data Source={(keptDb.Length > 0 ? Path.GetFullPath(keptDb) : Path.Combine(directory, "bench.db"))}" };

        await using var services = new ServiceCollection().AddStorage(options).BuildServiceProvider();
        var store = services.GetRequiredService<ICaseStore>();
        await store.MigrateAsync(CancellationToken.None);
        using var search = new CaseSearchIndex();
        var catalog = new CaseCatalog(search);
        catalog.Load(await store.LoadAsync(CancellationToken.None));
        var sync = SyncPipeline.Create(store, catalog, new AppliedDocuments(), new AlertSignal(), new BotMetrics(), TimeProvider.System, NullLoggerFactory.Instance);

        const string source = "bench";
        // The generated records die with this call: only the two documents stay, as they would arrive over the wire.
        // The documents wait in files and each sync reads one, as the file source does: only the document being
        // synced is in memory, so the resident figures are the bot's, not the bench's.
        var (original, flipped) = await PrepareAsync(services.GetRequiredService<IWatchlistStore>(), source, count, directory);
        Console.WriteLine($"provider {provider}; {count:N0} cases; document {new FileInfo(original).Length / 1024.0 / 1024.0:0.0} MiB; {count / 100:N0} status changes per changed run; runs {runs}");

        if (catalog.IsBaselined(source))
        {
            Console.WriteLine($"restart: {catalog.Count:N0} cases loaded from the store; no baseline in this process");
            if (catalog.Find(new CaseKey(source, "c000005"))?.Case.Status == CaseStatus.Released)
            {
                await sync.SyncAsync(source, await File.ReadAllBytesAsync(original), CancellationToken.None); // back to the state the runs start from
            }
        }
        else
        {
            var baseline = await TimeAsync(async () => await sync.SyncAsync(source, await File.ReadAllBytesAsync(original), CancellationToken.None));
            Console.WriteLine($"baseline (first sync, {count:N0} inserts): {baseline.Elapsed.TotalMilliseconds:0} ms");
        }
        var withIndex = GC.GetTotalMemory(forceFullCollection: true);
        search.Rebuild([]);
        var withoutIndex = GC.GetTotalMemory(forceFullCollection: true);
        var rebuild = Stopwatch.GetTimestamp();
        search.Rebuild(catalog.CasesOf(source).Select(c => c.Case));
        Console.WriteLine($"search index rebuild for {count:N0} cases: {Stopwatch.GetElapsedTime(rebuild).TotalMilliseconds:0} ms");
        Console.WriteLine($"managed heap after a full GC: {withIndex / 1024.0 / 1024.0:0} MiB = catalog and the rest {withoutIndex / 1024.0 / 1024.0:0} MiB + search index {(withIndex - withoutIndex) / 1024.0 / 1024.0:0} MiB");

        // As StartupService does once the catalog is loaded: give the loading garbage back to the OS.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        using var sampler = new WorkingSetSampler();
        Console.WriteLine($"working set before the runs (catalog, index, store loaded): {sampler.Current / 1024.0 / 1024.0:0} MiB");
        var changed = new List<double>();
        var unchanged = new List<double>();
        var reformatted = new List<double>();
        var allocatedChanged = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var document = run % 2 == 0 ? flipped : original;
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var change = await TimeAsync(async () => await sync.SyncAsync(source, await File.ReadAllBytesAsync(document), CancellationToken.None));
            allocatedChanged.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / 1024.0 / 1024.0);
            if (change.Report.StatusChanges != count / 100) throw new InvalidOperationException($"expected {count / 100} status changes, got {change.Report.Summary}");
            changed.Add(change.Elapsed.TotalMilliseconds);

            // The same cases in different bytes (as a feed that re-serialises each time sends them): full parse and diff.
            var respaced = await TimeAsync(async () => await sync.SyncAsync(source, await File.ReadAllBytesAsync(document + ".respaced"), CancellationToken.None));
            if (respaced.Report.HasChanges) throw new InvalidOperationException($"an unchanged document changed something: {respaced.Report.Summary}");
            reformatted.Add(respaced.Elapsed.TotalMilliseconds);

            // Byte-identical again: recognised by its hash, nothing parsed.
            var same = await TimeAsync(async () => await sync.SyncAsync(source, await File.ReadAllBytesAsync(document + ".respaced"), CancellationToken.None));
            if (same.Report.HasChanges || !same.Report.Identical) throw new InvalidOperationException($"an identical document was not recognised: {same.Report.Summary}");
            unchanged.Add(same.Elapsed.TotalMilliseconds);
            if (args.Contains("--trace-memory")) Console.WriteLine($"  resident peak so far {sampler.Peak / 1048576.0:0} MiB, now {sampler.Current / 1048576.0:0} MiB");
            Console.WriteLine($"run {run + 1}: changed {change.Elapsed.TotalMilliseconds:0} ms ({change.Report.AlertsQueued} alerts queued), unchanged (full diff) {respaced.Elapsed.TotalMilliseconds:0} ms, identical bytes {same.Elapsed.TotalMilliseconds:0} ms");
        }

        var peakDuringRuns = sampler.Peak; // before the parse-only loop below, which is the bench's, not the bot's
        var highWaterSinceStart = WorkingSetSampler.HighWaterMark();
        Console.WriteLine($"managed heap after the runs (after a full GC): {GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0:0} MiB");
        var parse = new List<double>();
        var originalBytes = await File.ReadAllBytesAsync(original);
        for (var run = 0; run < runs; run++)
        {
            var started = Stopwatch.GetTimestamp();
            var parsed = DetaineeAlertBot.Core.Feeds.CaseFeedParser.Parse(source, originalBytes);
            parse.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (parsed.Cases.Count != count) throw new InvalidOperationException("parse lost cases");
        }
        Console.WriteLine($"parse only:  median {Stats.Median(parse):0} ms");

        Console.WriteLine($"peak working set during the changed and unchanged runs: {peakDuringRuns / 1024.0 / 1024.0:0} MiB");
        Console.WriteLine($"peak resident memory of the process from start to the end of the runs (store load or baseline included): {highWaterSinceStart}");
        Console.WriteLine($"changed 1%:  median {Stats.Median(changed):0} ms (min {changed.Min():0}, max {changed.Max():0}); allocated median {Stats.Median(allocatedChanged):0} MiB per run");
        Console.WriteLine($"unchanged, full parse+diff: median {Stats.Median(reformatted):0} ms (min {reformatted.Min():0}, max {reformatted.Max():0})");
        Console.WriteLine($"unchanged, identical bytes: median {Stats.Median(unchanged):0} ms (min {unchanged.Min():0}, max {unchanged.Max():0})");
        Console.WriteLine($"peak managed heap size seen by the GC: {GC.GetGCMemoryInfo(GCKind.Any).HeapSizeBytes / 1024.0 / 1024.0:0} MiB now, total committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1024.0 / 1024.0:0} MiB");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    /// <summary>Writes the two documents (and each with a trailing newline: other bytes, same cases) to files.</summary>
    private static async Task<(string Original, string Flipped)> PrepareAsync(IWatchlistStore watchlists, string source, int count, string directory)
    {
        var cases = SyntheticCases.Generate(count).Select((c, i) => c with { Source = source, Id = $"c{i:D6}", Status = CaseStatus.Detained }).ToArray();
        // One change in five is watched by a channel, so each changed run also writes outbox rows as it would in use.
        var now = DateTimeOffset.UtcNow;
        await watchlists.SeedAsync(
            cases.Where((_, i) => i % 500 == 5).Select(c => new WatchlistEntry(Platforms.Console, "bench", source, c.Id, "bench", now)).ToArray(), CancellationToken.None);
        // 1% of statuses change between the two documents.
        var original = Path.Combine(directory, "original.json");
        var flipped = Path.Combine(directory, "flipped.json");
        foreach (var (path, bytes) in new[] { (original, LargeCatalogBot.FeedDocument(cases)), (flipped, LargeCatalogBot.FeedDocument(cases.Select((c, i) => i % 100 == 5 ? c with { Status = CaseStatus.Released } : c))) })
        {
            await File.WriteAllBytesAsync(path, bytes);
            await File.WriteAllBytesAsync(path + ".respaced", [.. bytes, (byte)'\n']);
        }
        return (original, flipped);
    }


    private static async Task<(TimeSpan Elapsed, SyncReport Report)> TimeAsync(Func<Task<SyncReport>> action)
    {
        var started = Stopwatch.GetTimestamp();
        var report = await action();
        if (!report.Succeeded) throw new InvalidOperationException(report.Error);
        return (Stopwatch.GetElapsedTime(started), report);
    }
}
