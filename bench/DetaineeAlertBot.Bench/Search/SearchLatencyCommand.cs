using System.Globalization;

namespace DetaineeAlertBot.Bench.Search;

/// <summary>search-latency: index build, lookup (with typos) and autocomplete times on synthetic cases.</summary>
public sealed class SearchLatencyCommand : IBenchCommand
{
    public string Name => "search-latency";

    public string Description => "name search latency on synthetic cases [cases=100000] [lookups=5000]";

    public Task<int> RunAsync(string[] args)
    {
        var cases = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var lookups = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000;
        var report = SearchLatency.Run(cases, lookups);
        Console.WriteLine();
        Console.Write(report.ToTable());
        return Task.FromResult(0);
    }
}
