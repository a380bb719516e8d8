using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;

namespace DetaineeAlertBot.Search.Evaluation;

/// <summary>An evaluation file: fictional cases and the queries a colleague would type for them.</summary>
public sealed record EvaluationSet(IReadOnlyList<EvaluationCase> Cases, IReadOnlyList<EvaluationQuery> Queries)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static EvaluationSet Load(string path) =>
        JsonSerializer.Deserialize<EvaluationSet>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path}: empty evaluation file");

    public IEnumerable<CaseRecord> ToRecords() => Cases.Select(c => new CaseRecord
    {
        Source = c.Source,
        Id = c.Id,
        Name = c.Name,
        Aliases = c.Aliases ?? [],
        Status = CaseStatus.Detained,
    });
}

public sealed record EvaluationCase(string Source, string Id, string Name, IReadOnlyList<string>? Aliases);

/// <param name="Expect">"source:id" of the case the answer must be, or null when the person is not in the data.</param>
/// <param name="ExpectAmbiguous">Cases that must all be listed under an Ambiguous outcome (a shared family name).</param>
public sealed record EvaluationQuery(
    string Kind,
    string Query,
    string? Expect,
    [property: JsonPropertyName("expectAmbiguous")] IReadOnlyList<string>? ExpectAmbiguous);

public sealed record EvaluationOutcome(EvaluationQuery Query, bool Passed, string Got);

public sealed record EvaluationKindRow(string Kind, int Total, int Passed)
{
    public double Rate => Total == 0 ? 1 : (double)Passed / Total;
}

/// <summary>Scores of one run: per kind, overall (every query that names a case), other-script, and no-match safety.</summary>
public sealed record EvaluationReport(IReadOnlyList<EvaluationOutcome> Outcomes)
{
    public const string NoMatchKind = "no-match";
    public const string OtherScriptKind = "other-script";

    public IReadOnlyList<EvaluationKindRow> Rows => Outcomes
        .GroupBy(o => o.Query.Kind)
        .Select(g => new EvaluationKindRow(g.Key, g.Count(), g.Count(o => o.Passed)))
        .ToList();

    /// <summary>Top-1 accuracy over every query that has a right answer (all kinds except no-match).</summary>
    public double Top1 => Rate(Outcomes.Where(o => o.Query.Kind != NoMatchKind));

    public double OtherScript => Rate(Outcomes.Where(o => o.Query.Kind == OtherScriptKind));

    /// <summary>Share of no-match queries for which no wrong case was returned as the answer.</summary>
    public double NoMatchSafe => Rate(Outcomes.Where(o => o.Query.Kind == NoMatchKind));

    public IEnumerable<EvaluationOutcome> Failures => Outcomes.Where(o => !o.Passed);

    private static double Rate(IEnumerable<EvaluationOutcome> outcomes)
    {
        var list = outcomes.ToList();
        return list.Count == 0 ? 1 : (double)list.Count(o => o.Passed) / list.Count;
    }

    public string ToTable()
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("| kind | queries | passed | rate |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var row in Rows)
            sb.AppendLine(ci, $"| {row.Kind} | {row.Total} | {row.Passed} | {row.Rate:P1} |");
        var named = Outcomes.Count(o => o.Query.Kind != NoMatchKind);
        sb.AppendLine(ci, $"| **top-1 overall** (all but no-match) | {named} | {Outcomes.Count(o => o.Query.Kind != NoMatchKind && o.Passed)} | {Top1:P1} |");
        sb.AppendLine(ci, $"| **no wrong case on no-match** | {Outcomes.Count(o => o.Query.Kind == NoMatchKind)} | {Outcomes.Count(o => o.Query.Kind == NoMatchKind && o.Passed)} | {NoMatchSafe:P1} |");
        return sb.ToString();
    }
}

/// <summary>SearchEvaluation scores an <see cref="ICaseSearch"/> against an <see cref="EvaluationSet"/>.</summary>
/// <remarks>
/// Pass rules, per query:
/// <list type="bullet">
/// <item>expect set: Outcome is Match and Hits[0] is that case (top-1; an Ambiguous answer does not count).</item>
/// <item>expectAmbiguous set: Outcome is Ambiguous and every listed case is among the Hits.</item>
/// <item>no-match (expect null): Outcome is NoMatch, or Ambiguous. Ambiguous never names one person as the answer (the
/// reply lists candidates and asks for the case id), so no wrong case is returned. Outcome Match fails: it would
/// confidently present someone who is not the person asked about.</item>
/// </list>
/// </remarks>
public static class SearchEvaluation
{
    public static EvaluationReport Run(ICaseSearch search, EvaluationSet set)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(set);
        var outcomes = new List<EvaluationOutcome>(set.Queries.Count);
        foreach (var q in set.Queries)
        {
            var result = search.Search(q.Query);
            outcomes.Add(new EvaluationOutcome(q, Passes(q, result), Describe(result)));
        }
        return new EvaluationReport(outcomes);
    }

    public static bool Passes(EvaluationQuery q, SearchResult result)
    {
        if (q.ExpectAmbiguous is { Count: > 0 } expected)
        {
            return result.Outcome == SearchOutcome.Ambiguous
                && expected.All(e => result.Hits.Any(h => h.Key.ToString() == e));
        }
        if (q.Expect is null) return result.Outcome != SearchOutcome.Match;
        return result.Outcome == SearchOutcome.Match && result.Hits.Count > 0 && result.Hits[0].Key.ToString() == q.Expect;
    }

    public static string Describe(SearchResult result)
    {
        var ci = CultureInfo.InvariantCulture;
        var hits = result.Outcome == SearchOutcome.NoMatch ? result.Nearest : result.Hits;
        return $"{result.Outcome}: " + string.Join("; ", hits.Take(4).Select(h =>
            string.Create(ci, $"{h.Name} [{h.Key}] {h.Score:0.000} {h.Kind}{(h.Explanation.Length > 0 ? " (" + h.Explanation + ")" : "")}")));
    }
}
