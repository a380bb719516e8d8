using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Search;

/// <summary>ICaseSearch finds cases by name under any spelling or script. Implementations are thread-safe:
/// searches run concurrently with updates.</summary>
public interface ICaseSearch
{
    /// <summary>Replaces the whole index (start-up).</summary>
    void Rebuild(IEnumerable<CaseRecord> cases);

    /// <summary>Adds or replaces cases by key (names or aliases changed, or new cases).</summary>
    void Upsert(IEnumerable<CaseRecord> cases);

    /// <summary>Ranks cases for a free-text query (a name, an alias, a partial or misspelt name, another script,
    /// or an exact case id / "source:id").</summary>
    SearchResult Search(string query, int maxResults = 5);

    /// <summary>Fast prefix-and-fuzzy suggestions for chat autocomplete.</summary>
    IReadOnlyList<SearchHit> Autocomplete(string partial, int maxResults = 25);
}

/// <summary>How a hit was matched, so a reply can say why.</summary>
public enum MatchKind
{
    Id,
    Exact,
    Normalized,
    Alias,
    Transliteration,
    Phonetic,
    Fuzzy,
    Partial,
}

/// <param name="Score">0..1, higher is closer.</param>
/// <param name="MatchedText">The name or alias that matched, when it is not the case's own name.</param>
/// <param name="Explanation">Short reason for a non-exact match, e.g. "matched alias Amir Amiri"; empty when exact.</param>
public sealed record SearchHit(CaseKey Key, string Name, double Score, MatchKind Kind, string? MatchedText, string Explanation);

public enum SearchOutcome
{
    /// <summary>Hits[0] is the answer; further hits are "other matches".</summary>
    Match,

    /// <summary>Two or more cases are about equally close: Hits lists them; nothing must be picked for the user.</summary>
    Ambiguous,

    /// <summary>Nothing clears the confidence threshold: Hits is empty, Nearest has up to three closest names.</summary>
    NoMatch,
}

public sealed record SearchResult(SearchOutcome Outcome, IReadOnlyList<SearchHit> Hits, IReadOnlyList<SearchHit> Nearest);
