using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Watchlists;

/// <summary>
/// WatchRule makes a channel follow every case, present and future, that matches all of its fields (contract:
/// Watchlists:N:Rule:*, /watchlist follow): country and nationality by name or ISO code (<see cref="Countries"/>), held-by
/// and source as text, all case- and accent-insensitive, and the status one of a list. At least one field is set.
/// </summary>
public sealed record WatchRule(
    long Id,
    string Platform,
    string ChannelId,
    string? Country,
    string? Nationality,
    string? HeldBy,
    string? Source,
    IReadOnlyList<CaseStatus> Statuses,
    string AddedBy,
    DateTimeOffset AddedAt)
{
    public bool IsEmpty => Country is null && Nationality is null && HeldBy is null && Source is null && Statuses.Count == 0;

    public bool Matches(CaseRecord record) => new RuleKeys(this).Matches(RuleKeys.Of(record), record.Status, Statuses);

    /// <summary>"country Iran · status detained, charged": what the rule follows, for lists and replies.</summary>
    public string Describe()
    {
        var parts = new List<string>(5);
        if (Country is not null) parts.Add($"country {Country}");
        if (Nationality is not null) parts.Add($"nationality {Nationality}");
        if (HeldBy is not null) parts.Add($"held by {HeldBy}");
        if (Source is not null) parts.Add($"source {Source}");
        if (Statuses.Count > 0) parts.Add("status " + string.Join(", ", Statuses.Select(s => s.ToWire())));
        return string.Join(" · ", parts);
    }

    /// <summary>A status list as typed ("detained, charged" or "detained;charged"); the unknown words, if any, in <paramref name="unknown"/>.</summary>
    public static IReadOnlyList<CaseStatus> ParseStatuses(string? text, out IReadOnlyList<string> unknown)
    {
        var statuses = new List<CaseStatus>();
        var bad = new List<string>();
        foreach (var word in (text ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (CaseStatuses.TryParse(word.ToLowerInvariant(), out var status)) { if (!statuses.Contains(status)) statuses.Add(status); }
            else bad.Add(word);
        }
        unknown = bad;
        return statuses;
    }
}

/// <summary>A rule's fields, or a case's, folded once for matching many against many (routing a sync).</summary>
internal readonly record struct RuleKeys(string? Country, string? Nationality, string? HeldBy, string? Source)
{
    public RuleKeys(WatchRule rule)
        : this(Countries.Key(rule.Country), Countries.Key(rule.Nationality), Fold(rule.HeldBy), Fold(rule.Source))
    {
    }

    public static RuleKeys Of(CaseRecord record) =>
        new(Countries.Key(record.Country), Countries.Key(record.Nationality), Fold(record.HeldBy), Fold(record.Source));

    /// <summary>This rule's keys against a case's.</summary>
    public bool Matches(RuleKeys @case, CaseStatus status, IReadOnlyList<CaseStatus>? statuses = null) =>
        (Country is null || Country == @case.Country)
        && (Nationality is null || Nationality == @case.Nationality)
        && (HeldBy is null || HeldBy == @case.HeldBy)
        && (Source is null || Source == @case.Source)
        && (statuses is null || statuses.Count == 0 || statuses.Contains(status));

    private static string? Fold(string? text) => string.IsNullOrWhiteSpace(text) ? null : Countries.Fold(text);
}

/// <summary>The active rules, compiled once per sync: which channels follow a case as it was and as it is now.</summary>
public sealed class RuleSet
{
    private readonly (WatchRule Rule, RuleKeys Keys)[] _rules;

    public RuleSet(IEnumerable<WatchRule> rules) => _rules = rules.Select(r => (r, new RuleKeys(r))).ToArray();

    public int Count => _rules.Length;

    /// <summary>The channels with a rule matching any of <paramref name="states"/> (a case before and after a change: one
    /// that stops matching still gets that last alert), each once.</summary>
    public IReadOnlyCollection<(string Platform, string ChannelId)> ChannelsFor(params ReadOnlySpan<CaseRecord> states)
    {
        if (_rules.Length == 0) return [];
        var caseKeys = new RuleKeys[states.Length];
        for (var i = 0; i < states.Length; i++) caseKeys[i] = RuleKeys.Of(states[i]);
        HashSet<(string, string)>? channels = null;
        foreach (var (rule, ruleKeys) in _rules)
        {
            for (var i = 0; i < states.Length; i++)
            {
                if (!ruleKeys.Matches(caseKeys[i], states[i].Status, rule.Statuses)) continue;
                (channels ??= []).Add((rule.Platform, rule.ChannelId));
                break;
            }
        }
        return channels is null ? [] : channels;
    }
}
