using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using DetaineeAlertBot.Search;

namespace DetaineeAlertBot.Bench.Search;

public sealed record LatencyReport(
    int Cases,
    int Lookups,
    double BuildMs,
    double LookupMedianMs,
    double LookupP99Ms,
    double LookupMaxMs,
    double AutocompleteMedianMs,
    double AutocompleteP99Ms,
    double UpsertMs,
    double BuildCpuMs,
    double LookupCpuMedianMs,
    double LookupCpuP99Ms,
    double LookupCpuMaxMs,
    double AutocompleteCpuMedianMs,
    double LoadAverage,
    string SlowestLookup,
    AtScaleAccuracy Accuracy)
{
    public string ToTable()
    {
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("| measure | value |");
        sb.AppendLine("|---|---:|");
        sb.AppendLine(ci, $"| cases indexed | {Cases:N0} |");
        sb.AppendLine(ci, $"| index build (Rebuild) | {BuildMs:0} ms |");
        sb.AppendLine(ci, $"| lookups measured (most with one typo) | {Lookups:N0} |");
        sb.AppendLine(ci, $"| lookup median | {LookupMedianMs:0.000} ms |");
        sb.AppendLine(ci, $"| lookup p99 | {LookupP99Ms:0.000} ms |");
        sb.AppendLine(ci, $"| lookup max | {LookupMaxMs:0.000} ms |");
        sb.AppendLine(ci, $"| autocomplete median | {AutocompleteMedianMs:0.000} ms |");
        sb.AppendLine(ci, $"| autocomplete p99 | {AutocompleteP99Ms:0.000} ms |");
        sb.AppendLine(ci, $"| Upsert of 100 changed cases | {UpsertMs:0.0} ms |");
        sb.AppendLine(ci, $"| index build, CPU time (all threads) | {BuildCpuMs:0} ms |");
        sb.AppendLine(ci, $"| lookup median / p99 / max, thread CPU time | {LookupCpuMedianMs:0.000} / {LookupCpuP99Ms:0.000} / {LookupCpuMaxMs:0.000} ms |");
        sb.AppendLine(ci, $"| autocomplete median, thread CPU time | {AutocompleteCpuMedianMs:0.000} ms |");
        sb.AppendLine(ci, $"| slowest lookup (CPU) | {SlowestLookup} |");
        sb.AppendLine(ci, $"| 1-minute load average at the end | {LoadAverage:0.0} |");
        sb.AppendLine();
        sb.AppendLine("Outcome of the same lookups at 100k scale (synthetic names repeat, so identical names are legitimately Ambiguous):");
        sb.AppendLine();
        sb.AppendLine("| query | right case is the answer | ambiguous, right case listed | ambiguous, list (25) too long to show it | another case as the answer | no match |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (kind, c) in Accuracy.ByKind)
            sb.AppendLine(ci, $"| {kind} | {c.Right} | {c.AmbiguousListed} | {c.AmbiguousNotListed} | {c.Wrong} | {c.NoMatch} |");
        foreach (var (kind, c) in Accuracy.ByKind)
        {
            foreach (var example in c.WrongExamples)
                sb.AppendLine(ci, $"- {kind}, another case: {example}");
            foreach (var example in c.NoMatchExamples)
                sb.AppendLine(ci, $"- {kind}, no match: {example}");
        }
        return sb.ToString();
    }
}

public sealed class AtScaleCounts
{
    public int Right { get; set; }
    public int AmbiguousListed { get; set; }
    public int AmbiguousNotListed { get; set; }
    public int Wrong { get; set; }
    public List<string> WrongExamples { get; } = [];
    public List<string> NoMatchExamples { get; } = [];
    public int NoMatch { get; set; }
}

/// <summary>How lookups with a known target case ended, per kind of query.</summary>
public sealed record AtScaleAccuracy(IReadOnlyList<(string Kind, AtScaleCounts Counts)> ByKind);


/// <summary>SearchLatency measures build, lookup and autocomplete times on <see cref="SyntheticCases"/>.</summary>
/// <remarks>Wall-clock figures include time the thread waited for a core; on a shared, oversubscribed machine that
/// dominates the tail, so thread CPU time (Linux) is reported next to it.</remarks>
public static class SearchLatency
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    private static double ThreadCpuMs()
    {
        if (!OperatingSystem.IsLinux()) return double.NaN;
        return ClockGetTime(ThreadCpuClock, out var t) == 0 ? t.Seconds * 1e3 + t.Nanoseconds / 1e6 : double.NaN;
    }

    private static double LoadAverageNow()
    {
        try { return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture); }
        catch (IOException) { return double.NaN; }
        catch (UnauthorizedAccessException) { return double.NaN; }
    }

    public static LatencyReport Run(int caseCount = 100_000, int lookups = 5_000, int seed = 7)
    {
        var cases = SyntheticCases.Generate(caseCount);
        var rng = new Random(seed);

        // Warm the JIT on a small index so the build figure is the steady-state cost.
        using (var warm = new CaseSearchIndex())
        {
            warm.Rebuild(cases.Take(2_000));
            for (var i = 0; i < 200; i++) warm.Search(cases[i].Name);
        }

        using var index = new CaseSearchIndex();
        GC.Collect();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        index.Rebuild(cases);
        var buildMs = sw.Elapsed.TotalMilliseconds;
        process.Refresh();
        var buildCpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;

        var queries = new List<string>(lookups);
        var targets = new List<(string Kind, Core.Cases.CaseKey Key)>(lookups);
        for (var i = 0; i < lookups; i++)
        {
            var c = cases[rng.Next(cases.Count)];
            var roll = rng.NextDouble();
            var (kind, query) = roll switch
            {
                < 0.6 => ("one typo", SyntheticCases.Typo(c.Name, rng)),
                < 0.75 => ("spelling variant, lower case", SyntheticCases.Variant(c.Name, rng).ToLowerInvariant()),
                < 0.85 => ("last name part only", c.Name.Split(' ')[^1]),
                _ => ("exact name", c.Name),
            };
            queries.Add(query);
            targets.Add((kind, c.Key));
        }
        for (var i = 0; i < 300; i++) index.Search(queries[i]);
        var lookupTimes = new double[lookups];
        var lookupCpu = new double[lookups];
        var counts = new Dictionary<string, AtScaleCounts>();
        for (var i = 0; i < lookups; i++)
        {
            var c0 = ThreadCpuMs();
            var t = Stopwatch.GetTimestamp();
            var result = index.Search(queries[i], 25);
            lookupTimes[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            lookupCpu[i] = ThreadCpuMs() - c0;
            if (!counts.TryGetValue(targets[i].Kind, out var k)) counts[targets[i].Kind] = k = new AtScaleCounts();
            var key = targets[i].Key;
            switch (result.Outcome)
            {
                case Core.Search.SearchOutcome.Match when result.Hits[0].Key == key: k.Right++; break;
                case Core.Search.SearchOutcome.Match:
                    k.Wrong++;
                    if (k.WrongExamples.Count < 3) k.WrongExamples.Add($"{queries[i]} -> {result.Hits[0].Name} [{result.Hits[0].Kind}: {result.Hits[0].Explanation}] (wanted {key})");
                    break;
                case Core.Search.SearchOutcome.Ambiguous when result.Hits.Any(h => h.Key == key): k.AmbiguousListed++; break;
                case Core.Search.SearchOutcome.Ambiguous: k.AmbiguousNotListed++; break;
                default:
                    k.NoMatch++;
                    if (k.NoMatchExamples.Count < 3) k.NoMatchExamples.Add($"{queries[i]} (wanted {key})");
                    break;
            }
        }

        var prefixes = new List<string>(lookups);
        for (var i = 0; i < lookups; i++)
        {
            var name = cases[rng.Next(cases.Count)].Name;
            prefixes.Add(name[..Math.Min(name.Length, rng.Next(2, 12))]);
        }
        for (var i = 0; i < 300; i++) index.Autocomplete(prefixes[i]);
        var autoTimes = new double[lookups];
        var autoCpu = new double[lookups];
        for (var i = 0; i < lookups; i++)
        {
            var c0 = ThreadCpuMs();
            var t = Stopwatch.GetTimestamp();
            index.Autocomplete(prefixes[i], 25);
            autoTimes[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            autoCpu[i] = ThreadCpuMs() - c0;
        }

        var changed = cases.Take(100).Select(c => c with { Aliases = [.. c.Aliases, SyntheticCases.Typo(c.Name, rng)] }).ToList();
        sw.Restart();
        index.Upsert(changed);
        var upsertMs = sw.Elapsed.TotalMilliseconds;

        var slowest = Array.IndexOf(lookupCpu, lookupCpu.Max());
        var slowestText = $"\"{queries[slowest]}\" ({lookupCpu[slowest]:0.0} ms CPU, {lookupTimes[slowest]:0.0} ms wall, GC gen2 count {GC.CollectionCount(2)})";
        Array.Sort(lookupTimes);
        Array.Sort(autoTimes);
        Array.Sort(lookupCpu);
        Array.Sort(autoCpu);
        return new LatencyReport(caseCount, lookups, buildMs,
            Percentile(lookupTimes, 0.5), Percentile(lookupTimes, 0.99), lookupTimes[^1],
            Percentile(autoTimes, 0.5), Percentile(autoTimes, 0.99), upsertMs,
            buildCpuMs, Percentile(lookupCpu, 0.5), Percentile(lookupCpu, 0.99), lookupCpu[^1], Percentile(autoCpu, 0.5), LoadAverageNow(), slowestText,
            new AtScaleAccuracy([.. counts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => (p.Key, p.Value))]));
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
