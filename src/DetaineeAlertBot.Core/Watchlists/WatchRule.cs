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
/// <remarks>Each rule is filed under the most selective field it sets (country, else nationality, held-by, source; a rule of
/// statuses alone is a candidate for every case), so a case is checked against the rules filed under its own keys, not
/// against all of them; the result is what checking every rule in order gives.</remarks>
public sealed class RuleSet
{
    private readonly Compiled[] _rules;
    private readonly (string Platform, string ChannelId)[] _channels;
    private readonly Dictionary<string, int[]> _byCountry;
    private readonly Dictionary<string, int[]> _byNationality;
    private readonly Dictionary<string, int[]> _byHeldBy;
    private readonly Dictionary<string, int[]> _bySource;
    private readonly int[] _anyCase;

    // Channel ids in the order Enumerable.Order gives them, and whether that order tells every two of them apart (it
    // does for the ids chat platforms hand out; ids that a culture's comparison finds equal fall back to Order itself).
    private readonly bool _totalOrder;

    /// <param name="Channel">Index in <see cref="_channels"/>, which is in Order()'s order.</param>
    /// <param name="Statuses">One bit per <see cref="CaseStatus"/>; 0 is any.</param>
    private readonly record struct Compiled(RuleKeys Keys, int Channel, int Statuses);

    public RuleSet(IEnumerable<WatchRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var list = rules.ToArray();
        _channels = list.Select(r => (r.Platform, r.ChannelId)).Distinct().Order().ToArray();
        var comparer = Comparer<(string, string)>.Default;
        _totalOrder = true;
        for (var i = 1; i < _channels.Length; i++)
        {
            if (comparer.Compare(_channels[i - 1], _channels[i]) == 0) _totalOrder = false;
        }
        var rank = new Dictionary<(string, string), int>(_channels.Length);
        for (var i = 0; i < _channels.Length; i++) rank[_channels[i]] = i;

        _rules = new Compiled[list.Length];
        var byCountry = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byNationality = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var byHeldBy = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var bySource = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var anyCase = new List<int>();
        for (var i = 0; i < list.Length; i++)
        {
            var rule = list[i];
            var keys = new RuleKeys(rule);
            var statuses = 0;
            foreach (var status in rule.Statuses) statuses |= Bit(status);
            _rules[i] = new Compiled(keys, rank[(rule.Platform, rule.ChannelId)], statuses);
            var bucket = keys switch
            {
                { Country: { } country } => Bucket(byCountry, country),
                { Nationality: { } nationality } => Bucket(byNationality, nationality),
                { HeldBy: { } heldBy } => Bucket(byHeldBy, heldBy),
                { Source: { } source } => Bucket(bySource, source),
                _ => anyCase,
            };
            bucket.Add(i);
        }
        _byCountry = Freeze(byCountry);
        _byNationality = Freeze(byNationality);
        _byHeldBy = Freeze(byHeldBy);
        _bySource = Freeze(bySource);
        _anyCase = [.. anyCase];
    }

    public int Count => _rules.Length;

    /// <summary>The channels with a rule matching any of <paramref name="states"/> (a case before and after a change: one
    /// that stops matching still gets that last alert), each once, in the order of their first matching rule.</summary>
    public IReadOnlyCollection<(string Platform, string ChannelId)> ChannelsFor(params ReadOnlySpan<CaseRecord> states)
    {
        var matched = Matching(states);
        if (matched is null) return [];
        matched.Sort();
        var seen = new HashSet<int>();
        var channels = new List<(string, string)>(matched.Count);
        foreach (var rule in matched)
        {
            if (seen.Add(_rules[rule].Channel)) channels.Add(_channels[_rules[rule].Channel]);
        }
        return channels;
    }

    /// <summary>The channels of <see cref="ChannelsFor"/>, in the order <c>ChannelsFor(states).Order()</c> gives them.</summary>
    public IReadOnlyCollection<(string Platform, string ChannelId)> OrderedChannelsFor(params ReadOnlySpan<CaseRecord> states)
    {
        if (!_totalOrder) return ChannelsFor(states).Order().ToArray();
        var matched = Matching(states);
        if (matched is null) return [];
        for (var i = 0; i < matched.Count; i++) matched[i] = _rules[matched[i]].Channel;
        matched.Sort();
        var channels = new List<(string, string)>(matched.Count);
        for (var i = 0; i < matched.Count; i++)
        {
            if (i == 0 || matched[i] != matched[i - 1]) channels.Add(_channels[matched[i]]);
        }
        return channels;
    }

    /// <summary>The indexes of the rules matching any of <paramref name="states"/>, in no order (one matching two states
    /// is there twice); null for none.</summary>
    private List<int>? Matching(ReadOnlySpan<CaseRecord> states)
    {
        if (_rules.Length == 0) return null;
        List<int>? matched = null;
        var keys = default(RuleKeys);
        for (var s = 0; s < states.Length; s++)
        {
            var state = states[s];
            // A change's two states differ in status only: its keys are folded once.
            if (s == 0 || !SameFields(states[s - 1], state)) keys = RuleKeys.Of(state);
            var bit = Bit(state.Status);
            Collect(keys.Country is { } country ? _byCountry.GetValueOrDefault(country) : null);
            Collect(keys.Nationality is { } nationality ? _byNationality.GetValueOrDefault(nationality) : null);
            Collect(keys.HeldBy is { } heldBy ? _byHeldBy.GetValueOrDefault(heldBy) : null);
            Collect(keys.Source is { } source ? _bySource.GetValueOrDefault(source) : null);
            Collect(_anyCase);

            void Collect(int[]? candidates)
            {
                if (candidates is null) return;
                foreach (var i in candidates)
                {
                    var rule = _rules[i];
                    if ((rule.Statuses == 0 || (rule.Statuses & bit) != 0) && rule.Keys.Matches(keys, state.Status))
                    {
                        (matched ??= []).Add(i);
                    }
                }
            }
        }
        return matched;
    }

    private static bool SameFields(CaseRecord a, CaseRecord b) =>
        a.Country == b.Country && a.Nationality == b.Nationality && a.HeldBy == b.HeldBy && a.Source == b.Source;

    private static int Bit(CaseStatus status) => 1 << (int)status;

    private static List<int> Bucket(Dictionary<string, List<int>> index, string key)
    {
        if (!index.TryGetValue(key, out var bucket)) index[key] = bucket = [];
        return bucket;
    }

    private static Dictionary<string, int[]> Freeze(Dictionary<string, List<int>> index) =>
        index.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
}
