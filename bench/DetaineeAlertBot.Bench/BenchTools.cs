namespace DetaineeAlertBot.Bench;

/// <summary>Command-line options of the bench commands: "--name value".</summary>
internal static class BenchArgs
{
    public static int Int(string[] args, string name, int fallback) =>
        Value(args, name) is { } text && int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static string String(string[] args, string name, string fallback) => Value(args, name) ?? fallback;

    private static string? Value(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

/// <summary>The statistics every bench reports: nearest-rank percentiles, so a reported p99 is a measured value.</summary>
internal static class Stats
{
    /// <param name="fraction">0.5 for the median, 0.99 for p99.</param>
    public static double Percentile(IEnumerable<double> values, double fraction)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>One line: median, p90, p99 and max in milliseconds.</summary>
    public static void Report(string title, IReadOnlyCollection<double> milliseconds) =>
        Console.WriteLine($"{title}: median {Percentile(milliseconds, 0.5):0.0} ms, p90 {Percentile(milliseconds, 0.9):0.0} ms, "
            + $"p99 {Percentile(milliseconds, 0.99):0.0} ms, max {milliseconds.Max():0.0} ms");
}

/// <summary>Samples the process's resident set every 5 ms on its own thread and keeps the maximum (the pipeline and
/// rules benches' peak resident memory).</summary>
internal sealed class WorkingSetSampler : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stop;
    private long _peak;

    public WorkingSetSampler()
    {
        _peak = Current;
        _thread = new Thread(() =>
        {
            while (!_stop)
            {
                var now = Current;
                if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
                Thread.Sleep(5);
            }
        }) { IsBackground = true, Name = "working-set-sampler" };
        _thread.Start();
    }

    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Resident set from /proc/self/statm (pages), falling back to Environment.WorkingSet elsewhere.</summary>
    public long Current
    {
        get
        {
            try
            {
                var fields = File.ReadAllText("/proc/self/statm").Split(' ');
                return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            }
            catch (IOException)
            {
                return Environment.WorkingSet;
            }
        }
    }

    /// <summary>VmHWM from /proc/self/status: the process's resident high-water mark so far.</summary>
    public static string HighWaterMark() =>
        File.Exists("/proc/self/status")
            ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "n/a"
            : "n/a";

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
    }
}
