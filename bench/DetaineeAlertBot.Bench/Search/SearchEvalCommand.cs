using DetaineeAlertBot.Search;
using DetaineeAlertBot.Search.Evaluation;

namespace DetaineeAlertBot.Bench.Search;

/// <summary>search-eval: scores name search on the evaluation file(s) and prints the per-kind table.</summary>
public sealed class SearchEvalCommand : IBenchCommand
{
    internal const string EvaluationDirectory = "tests/DetaineeAlertBot.Search.Tests/Evaluation";

    public string Name => "search-eval";

    public string Description => "name search accuracy per query kind [file.json ...] (default: the evaluation and holdout sets)";

    public Task<int> RunAsync(string[] args)
    {
        var files = args.Length > 0 ? args : DefaultFiles();
        if (files.Length == 0)
        {
            Console.Error.WriteLine($"no evaluation file found; run from the repository root or pass a path ({EvaluationDirectory}/*.json)");
            return Task.FromResult(2);
        }
        foreach (var file in files)
        {
            var set = EvaluationSet.Load(file);
            using var index = new CaseSearchIndex();
            index.Rebuild(set.ToRecords());
            var report = SearchEvaluation.Run(index, set);
            Console.WriteLine();
            Console.WriteLine($"## {Path.GetFileName(file)}: {set.Cases.Count} cases, {set.Queries.Count} queries");
            Console.WriteLine();
            Console.Write(report.ToTable());
            Console.WriteLine($"other-script top-1: {report.OtherScript:P1}");
            foreach (var f in report.Failures)
                Console.WriteLine($"  miss [{f.Query.Kind}] \"{f.Query.Query}\" expected {f.Query.Expect ?? string.Join(",", f.Query.ExpectAmbiguous ?? ["no match"])}; got {f.Got}");
        }
        return Task.FromResult(0);
    }

    private static string[] DefaultFiles()
    {
        // Walk up from the working directory to the repository root.
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, EvaluationDirectory);
            if (Directory.Exists(candidate))
                return [.. Directory.GetFiles(candidate, "*.json").Order(StringComparer.Ordinal)];
        }
        return [];
    }
}
