using System.Diagnostics;
using System.Diagnostics.Metrics;
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

namespace DetaineeAlertBot.Bench.Rules;

/// <summary>Sync + rule routing (issue 13): the production pipeline on a real store with 100,000 cases that carry
/// countries, nationalities and held-by values, 1,000 rule entries over 500 channels (through the real rule store) and
/// direct watchlist entries; each run syncs a document with 1 % of statuses changed and a few hundred new cases.</summary>
public sealed class RulesBench : IBenchCommand
{
    private const string Source = "bench";

    public string Name => "rules";

    public string Description => "sync + rule routing: 100k cases, 1,000 rule entries over 500 channels, 1% changed + new cases [--cases N] [--channels N] [--rules-per-channel N] [--new N] [--runs N] [--provider sqlite|postgres]";

    public async Task<int> RunAsync(string[] args)
    {
        var count = BenchArgs.Int(args, "--cases", 100_000);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var channels = BenchArgs.Int(args, "--channels", 500);
        var perChannel = BenchArgs.Int(args, "--rules-per-channel", 2);
        var newPerRun = BenchArgs.Int(args, "--new", 300);
        var provider = BenchArgs.String(args, "--provider", "sqlite");
        var directory = Directory.CreateTempSubdirectory("rules-bench-").FullName;
        var options = provider == "postgres"
            ? new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = Environment.GetEnvironmentVariable("DETAINEEBOT_TEST_POSTGRES") ?? throw new InvalidOperationException("set DETAINEEBOT_TEST_POSTGRES for --provider postgres") }
            : new StorageOptions { ConnectionString = $"Data Source={Path.Combine(directory, "bench.db")}" };

        await using var services = new ServiceCollection().AddStorage(options).BuildServiceProvider();
        var store = services.GetRequiredService<ICaseStore>();
        await store.MigrateAsync(CancellationToken.None);
        using var search = new CaseSearchIndex();
        var catalog = new CaseCatalog(search);
        catalog.Load(await store.LoadAsync(CancellationToken.None));
        if (catalog.IsBaselined(Source)) throw new InvalidOperationException("the rules bench needs an empty store (a fresh PostgreSQL database)");
        using var stages = new StageTimes();
        var sync = SyncPipeline.Create(store, catalog, new AppliedDocuments(), new AlertSignal(), new BotMetrics(), TimeProvider.System, NullLoggerFactory.Instance);

        var prepared = await PrepareAsync(services.GetRequiredService<IRuleStore>(), services.GetRequiredService<IWatchlistStore>(), count, runs,
            channels, perChannel, newPerRun, directory);
        Console.WriteLine($"provider {provider}; {count:N0} cases; {prepared.Rules.Count:N0} rule entries over {channels:N0} channels; "
            + $"{prepared.DirectEntries:N0} direct entries; runs {runs}, each {count / 100:N0} status changes + {newPerRun:N0} new cases; "
            + $"document {new FileInfo(prepared.Baseline).Length / 1024.0 / 1024.0:0.0} MiB");

        var baseline = await TimeAsync(async () => await sync.SyncAsync(Source, await File.ReadAllBytesAsync(prepared.Baseline), CancellationToken.None));
        Console.WriteLine($"baseline (first sync, {count:N0} inserts): {baseline.Elapsed.TotalMilliseconds:0} ms");
        Console.WriteLine($"managed heap after a full GC: {GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0:0} MiB");

        // As StartupService does once the catalog is loaded: give the loading garbage back to the OS.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        stages.Clear();
        using var sampler = new WorkingSetSampler();
        Console.WriteLine($"working set before the runs (catalog, index, store loaded): {sampler.Current / 1024.0 / 1024.0:0} MiB");
        var elapsed = new List<double>();
        var rows = new List<int>();
        var allocated = new List<double>();
        var storeTimes = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var expected = prepared.Runs[run];
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var result = await TimeAsync(async () => await sync.SyncAsync(Source, await File.ReadAllBytesAsync(expected.Document), CancellationToken.None));
            allocated.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / 1024.0 / 1024.0);
            var report = result.Report;
            if (report.StatusChanges != expected.StatusChanges || report.New != newPerRun)
                throw new InvalidOperationException($"expected {expected.StatusChanges} status changes and {newPerRun} new cases, got {report.Summary}");
            if (report.AlertsQueued != expected.Rows)
                throw new InvalidOperationException($"run {run + 1}: {report.AlertsQueued} outbox rows, but the rules and entries call for {expected.Rows}");
            elapsed.Add(result.Elapsed.TotalMilliseconds);
            rows.Add(report.AlertsQueued);
            var stageLine = stages.Take();
            storeTimes.Add(stageLine.GetValueOrDefault("store"));
            Console.WriteLine($"run {run + 1}: {result.Elapsed.TotalMilliseconds:0} ms, {report.AlertsQueued:N0} outbox rows "
                + $"({expected.ChangeRows:N0} for changes, {expected.NewRows:N0} for new cases); stages "
                + string.Join(", ", stageLine.Select(s => $"{s.Key} {s.Value:0}")) + $" ms; allocated {allocated[^1]:0} MiB; "
                + $"resident now {sampler.Current / 1048576.0:0} MiB (GC heap committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0:0} MiB), peak {sampler.Peak / 1048576.0:0} MiB");
        }
        var peakDuringRuns = sampler.Peak;
        var highWaterSinceStart = WorkingSetSampler.HighWaterMark();
        Console.WriteLine($"managed heap after the runs (after a full GC): {GC.GetTotalMemory(forceFullCollection: true) / 1024.0 / 1024.0:0} MiB");

        // Rule matching alone, in process, for the first run's changes and new cases: what RuleSet costs the store stage.
        var matching = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var set = new RuleSet(prepared.Rules);
            var channelsNamed = 0;
            foreach (var (old, now) in prepared.FirstRunChanges) channelsNamed += set.ChannelsFor(old, now).Count;
            foreach (var added in prepared.FirstRunNew) channelsNamed += set.ChannelsFor(added).Count;
            matching.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (channelsNamed == 0) throw new InvalidOperationException("no rule matched");
        }

        Console.WriteLine($"rule matching alone (RuleSet built + ChannelsFor of run 1's {prepared.FirstRunChanges.Count:N0} changes and {prepared.FirstRunNew.Count:N0} new cases): median {Stats.Median(matching):0.0} ms");
        Console.WriteLine($"peak working set during the runs: {peakDuringRuns / 1024.0 / 1024.0:0} MiB");
        Console.WriteLine($"peak resident memory of the process from start to the end of the runs (baseline included): {highWaterSinceStart}");
        Console.WriteLine($"outbox rows per run: {string.Join(", ", rows.Select(r => r.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} (median {Stats.Median(rows.Select(r => (double)r)):N0})");
        Console.WriteLine($"store stage (transaction incl. routing, then catalog): median {Stats.Median(storeTimes):0} ms");
        Console.WriteLine($"sync + routing, 1% changed + {newPerRun} new: median {Stats.Median(elapsed):0} ms (min {elapsed.Min():0}, max {elapsed.Max():0}); allocated median {Stats.Median(allocated):0} MiB per run");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    /// <summary>One run's document and what it must do.</summary>
    private sealed record RunPlan(string Document, int StatusChanges, int ChangeRows, int NewRows)
    {
        public int Rows => ChangeRows + NewRows;
    }

    private sealed record Prepared(string Baseline, IReadOnlyList<RunPlan> Runs, IReadOnlyList<WatchRule> Rules, int DirectEntries,
        IReadOnlyList<(CaseRecord Before, CaseRecord After)> FirstRunChanges, IReadOnlyList<CaseRecord> FirstRunNew);

    /// <summary>Stores the rules and direct entries, writes the baseline and one document per run to files, and works out
    /// each run's outbox rows from the rules as docs/rules.md states them (not through RuleSet).</summary>
    private static async Task<Prepared> PrepareAsync(IRuleStore ruleStore, IWatchlistStore watchlists, int count, int runs, int channels, int perChannel,
        int newPerRun, string directory)
    {
        var rng = new Random(20261213);
        var cases = SyntheticCases.Generate(count + runs * newPerRun)
            .Select((c, i) => SyntheticRouting.Place(c, rng) with { Source = Source, Id = $"c{i:D6}" })
            .ToArray();
        var now = DateTimeOffset.UtcNow;

        var rules = SyntheticRouting.Rules(channels, perChannel, now);
        var added = Stopwatch.GetTimestamp();
        var stored = new List<WatchRule>(rules.Count);
        foreach (var rule in rules) stored.Add((await ruleStore.AddAsync(rule, CancellationToken.None)).Rule); // as /watchlist follow does, one by one
        Console.WriteLine($"{stored.Count:N0} rule entries added through the rule store in {Stopwatch.GetElapsedTime(added).TotalMilliseconds:0} ms");

        // Each run changes the statuses of cases with one remainder of the id mod 100 (1 %); one in five of those is
        // watched directly by a channel, so direct entries and rules meet in the same channels.
        var residues = Enumerable.Range(0, runs).Select(r => (5 + r * 13) % 100).ToArray();
        // Different cases in every run, as a real feed's changes are: no case changes twice, so flap damping (more than
        // FlapPolicy.Default's threshold of changes inside its window) holds none of them. The row check would fail if it did.
        if (residues.Distinct().Count() != runs) throw new InvalidOperationException("at most 100 runs: each changes its own 1 % of the cases");
        Console.WriteLine($"each run changes its own 1 % of the cases (ids ≡ {string.Join(", ", residues)} mod 100): no case changes twice, so flap damping holds none");
        var direct = new Dictionary<int, (string Platform, string ChannelId)>();
        for (var i = 0; i < count; i++)
        {
            if (Array.IndexOf(residues, i % 100) >= 0 && i / 100 % 5 == 0) direct[i] = SyntheticRouting.Channel(i / 100 % channels);
        }
        await watchlists.SeedAsync(direct.Select(d => new WatchlistEntry(d.Value.Platform, d.Value.ChannelId, Source, cases[d.Key].Id, "bench", now)).ToArray(),
            CancellationToken.None);

        var oracle = new RoutingOracle(stored);
        var shares = oracle.Shares(cases.AsSpan(0, count));
        Console.WriteLine($"cases matched per rule entry by its fields other than the status list: median {Stats.Median(shares):0.00} %, p90 {Stats.Percentile(shares, 0.9):0.00} %, "
            + $"max {shares.Max():0.0} %; {shares.Count(s => s >= 10):N0} entries match ≥ 10 %, {shares.Count(s => s < 0.5):N0} match < 0.5 %");
        var top = cases.Take(count).GroupBy(c => Countries.Key(c.Country)).OrderByDescending(g => g.Count()).Take(4).Select(g => $"{g.Key} {100.0 * g.Count() / count:0.0} %");
        Console.WriteLine($"cases by country held: {string.Join(", ", top)}, ...");

        var baseline = Path.Combine(directory, "baseline.json");
        await File.WriteAllBytesAsync(baseline, LargeCatalogBot.FeedDocument(cases.Take(count)));
        var plans = new List<RunPlan>(runs);
        var firstChanges = new List<(CaseRecord, CaseRecord)>();
        var firstNew = new List<CaseRecord>();
        var changeRng = new Random(7);
        for (var run = 0; run < runs; run++)
        {
            var changes = new List<(CaseRecord Before, CaseRecord After, (string, string)? Direct)>();
            for (var i = residues[run]; i < count; i += 100)
            {
                var before = cases[i];
                cases[i] = before with { Status = SyntheticRouting.Next(before.Status, changeRng) };
                changes.Add((before, cases[i], direct.TryGetValue(i, out var channel) ? channel : null));
            }
            var fresh = cases.AsSpan(count + run * newPerRun, newPerRun).ToArray();
            if (run == 0)
            {
                firstChanges.AddRange(changes.Select(c => (c.Before, c.After)));
                firstNew.AddRange(fresh);
            }
            var document = Path.Combine(directory, $"run{run + 1}.json");
            await File.WriteAllBytesAsync(document, LargeCatalogBot.FeedDocument(cases.Take(count + (run + 1) * newPerRun)));
            plans.Add(new RunPlan(document, changes.Count,
                changes.Sum(c => oracle.Channels(c.Direct, c.Before, c.After).Count),
                fresh.Sum(c => oracle.Channels(null, c).Count)));
        }
        return new Prepared(baseline, plans, stored, direct.Count, firstChanges, firstNew);
    }

    private static async Task<(TimeSpan Elapsed, SyncReport Report)> TimeAsync(Func<Task<SyncReport>> action)
    {
        var started = Stopwatch.GetTimestamp();
        var report = await action();
        if (!report.Succeeded) throw new InvalidOperationException(report.Error);
        return (Stopwatch.GetElapsedTime(started), report);
    }

    /// <summary>The channels a change must reach, straight from docs/rules.md: its direct entry's channel, and each
    /// channel with a rule whose set fields all match the case as it was or as it is (countries by
    /// <see cref="Countries.Key"/>, text folded), each once. The bench's check on the store's routing.</summary>
    private sealed class RoutingOracle(IReadOnlyList<WatchRule> rules)
    {
        private readonly (WatchRule Rule, string? Country, string? Nationality, string? HeldBy, string? Source)[] _rules =
            rules.Select(r => (r, Countries.Key(r.Country), Countries.Key(r.Nationality), FoldOrNull(r.HeldBy), FoldOrNull(r.Source))).ToArray();

        public HashSet<(string, string)> Channels((string, string)? direct, params CaseRecord[] states)
        {
            var channels = new HashSet<(string, string)>();
            if (direct is { } entry) channels.Add(entry);
            foreach (var state in states)
            {
                var keys = (Countries.Key(state.Country), Countries.Key(state.Nationality), FoldOrNull(state.HeldBy), FoldOrNull(state.Source));
                foreach (var rule in _rules)
                {
                    if (Matches(rule, keys, state.Status)) channels.Add((rule.Rule.Platform, rule.Rule.ChannelId));
                }
            }
            return channels;
        }

        /// <summary>Per rule, the percentage of <paramref name="cases"/> it matches whatever their status.</summary>
        public double[] Shares(ReadOnlySpan<CaseRecord> cases)
        {
            var hits = new int[_rules.Length];
            foreach (var state in cases)
            {
                var keys = (Countries.Key(state.Country), Countries.Key(state.Nationality), FoldOrNull(state.HeldBy), FoldOrNull(state.Source));
                for (var r = 0; r < _rules.Length; r++)
                {
                    if (Matches(_rules[r], keys, null)) hits[r]++;
                }
            }
            var total = cases.Length;
            return hits.Select(h => 100.0 * h / total).ToArray();
        }

        private static bool Matches((WatchRule Rule, string? Country, string? Nationality, string? HeldBy, string? Source) rule,
            (string? Country, string? Nationality, string? HeldBy, string? Source) @case, CaseStatus? status) =>
            (rule.Country is null || rule.Country == @case.Country)
            && (rule.Nationality is null || rule.Nationality == @case.Nationality)
            && (rule.HeldBy is null || rule.HeldBy == @case.HeldBy)
            && (rule.Source is null || rule.Source == @case.Source)
            && (status is not { } known || rule.Rule.Statuses.Count == 0 || rule.Rule.Statuses.Contains(known));

        private static string? FoldOrNull(string? text) => string.IsNullOrWhiteSpace(text) ? null : Countries.Fold(text);
    }

    /// <summary>The pipeline's own stage timings (detaineebot.sync.stage_duration), per sync, in milliseconds.</summary>
    private sealed class StageTimes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Lock _lock = new();
        private Dictionary<string, double> _current = [];

        public StageTimes()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BotMetrics.MeterName && instrument.Name == "detaineebot.sync.stage_duration") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key != "stage" || tag.Value is not string stage) continue;
                    lock (_lock) _current[stage] = _current.GetValueOrDefault(stage) + seconds * 1000;
                }
            });
            _listener.Start();
        }

        public void Clear()
        {
            lock (_lock) _current = [];
        }

        public Dictionary<string, double> Take()
        {
            lock (_lock)
            {
                var taken = _current;
                _current = [];
                return taken;
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
