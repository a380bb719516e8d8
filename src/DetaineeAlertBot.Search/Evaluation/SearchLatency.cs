using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace DetaineeAlertBot.Search.Evaluation;

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
    double AutocompleteCpuMedianMs,
    double LoadAverage)
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
        sb.AppendLine(ci, $"| lookup median / p99, thread CPU time | {LookupCpuMedianMs:0.000} / {LookupCpuP99Ms:0.000} ms |");
        sb.AppendLine(ci, $"| autocomplete median, thread CPU time | {AutocompleteCpuMedianMs:0.000} ms |");
        sb.AppendLine(ci, $"| 1-minute load average at the end | {LoadAverage:0.0} |");
        return sb.ToString();
    }
}

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
        for (var i = 0; i < lookups; i++)
        {
            var c = cases[rng.Next(cases.Count)];
            var roll = rng.NextDouble();
            queries.Add(roll switch
            {
                < 0.6 => SyntheticCases.Typo(c.Name, rng),
                < 0.75 => SyntheticCases.Variant(c.Name, rng).ToLowerInvariant(),
                < 0.85 => c.Name.Split(' ')[^1],
                _ => c.Name,
            });
        }
        for (var i = 0; i < 300; i++) index.Search(queries[i]);
        var lookupTimes = new double[lookups];
        var lookupCpu = new double[lookups];
        for (var i = 0; i < lookups; i++)
        {
            var c0 = ThreadCpuMs();
            var t = Stopwatch.GetTimestamp();
            index.Search(queries[i]);
            lookupTimes[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            lookupCpu[i] = ThreadCpuMs() - c0;
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

        Array.Sort(lookupTimes);
        Array.Sort(autoTimes);
        Array.Sort(lookupCpu);
        Array.Sort(autoCpu);
        return new LatencyReport(caseCount, lookups, buildMs,
            Percentile(lookupTimes, 0.5), Percentile(lookupTimes, 0.99), lookupTimes[^1],
            Percentile(autoTimes, 0.5), Percentile(autoTimes, 0.99), upsertMs,
            buildCpuMs, Percentile(lookupCpu, 0.5), Percentile(lookupCpu, 0.99), Percentile(autoCpu, 0.5), LoadAverageNow());
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
