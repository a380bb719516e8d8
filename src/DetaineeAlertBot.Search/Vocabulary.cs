namespace DetaineeAlertBot.Search;

/// <summary>One distinct name token of the index with its keys and the names (entries) that contain it.</summary>
internal sealed class VocabToken(string latin, bool fromAbjad)
{
    public string Latin { get; } = latin;
    public string Sound { get; } = PhoneticKey.Sound(latin);
    public string Skeleton { get; } = PhoneticKey.Skeleton(latin);
    public string Abjad { get; } = PhoneticKey.Abjad(latin);

    /// <summary>True when the token came from Arabic or Hebrew script, so its Latin form is only a skeleton.</summary>
    public bool FromAbjad { get; } = fromAbjad;

    public double Weight { get; } = QueryToken.WeightOf(latin);
    public List<int> Postings { get; } = [];
}

/// <summary>A query token with the same keys as <see cref="VocabToken"/>.</summary>
internal sealed class QueryToken
{
    private QueryToken(string latin, bool isAbjad)
    {
        Latin = latin;
        IsAbjad = isAbjad;
        Sound = PhoneticKey.Sound(latin);
        Skeleton = PhoneticKey.Skeleton(latin);
        Abjad = PhoneticKey.Abjad(latin);
        Weight = WeightOf(latin);
    }

    public string Latin { get; }
    public string Sound { get; }
    public string Skeleton { get; }
    public string Abjad { get; }
    public bool IsAbjad { get; }
    public double Weight { get; }

    // A pasted paragraph is not a name; bounding the parts keeps the per-name scoring on the stack.
    internal const int MaxTokens = 8;

    public static QueryToken[] From(NormalizedName name) => [.. name.Tokens.Take(MaxTokens).Select(t => new QueryToken(t, name.Abjad))];

    /// <summary>The first letters of a token, to find "nearest names" when nothing is close.</summary>
    public QueryToken Head(int length) => new(Latin[..Math.Min(length, Latin.Length)], false);

    /// <summary>Longer parts carry more identity than short ones ("Li", "Ko"), but not without bound.</summary>
    public static double WeightOf(string latin) => 4 + Math.Min(latin.Length, 8) / 2.0;
}

internal readonly record struct VocabMatch(int TokenId, double Similarity, TokenVia Via);

/// <summary>Vocabulary interns distinct tokens and finds the ones close to a query token through key maps and
/// one-deletion neighbourhoods (symmetric deletion: a typo, a dropped letter or a swap is one deletion away on both
/// sides), so no lookup ever scans the whole vocabulary.</summary>
internal sealed class Vocabulary
{
    private const int MinDeleteLength = 4;
    private const int MaxPrefixTokens = 400;

    private readonly List<VocabToken> _tokens = [];
    private readonly Dictionary<string, int> _byLatin = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _bySound = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _bySkeleton = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _byAbjad = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _latinDeletes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _soundDeletes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _abjadDeletes = new(StringComparer.Ordinal);
    private readonly PrefixOrder _latinOrder;
    private readonly PrefixOrder _abjadOrder;

    public Vocabulary()
    {
        _latinOrder = new PrefixOrder(_tokens, t => t.Latin);
        _abjadOrder = new PrefixOrder(_tokens, t => t.Abjad);
    }

    public VocabToken this[int id] => _tokens[id];

    public int Count => _tokens.Count;

    public int Intern(string latin, bool fromAbjad)
    {
        var key = fromAbjad ? "\u0001" + latin : latin;
        if (_byLatin.TryGetValue(key, out var id)) return id;
        id = _tokens.Count;
        var token = new VocabToken(latin, fromAbjad);
        _tokens.Add(token);
        _byLatin[key] = id;
        Add(_byAbjad, token.Abjad, id);
        AddWithDeletes(_abjadDeletes, token.Abjad, id, 3);
        if (!fromAbjad)
        {
            Add(_bySound, token.Sound, id);
            Add(_bySkeleton, token.Skeleton, id);
            AddWithDeletes(_latinDeletes, latin, id, MinDeleteLength);
            AddWithDeletes(_soundDeletes, token.Sound, id, MinDeleteLength);
            _latinOrder.Pending.Add(id);
        }
        _abjadOrder.Pending.Add(id);
        return id;
    }

    /// <summary>Merges newly interned tokens into the prefix orders. Called by the writer after each batch.</summary>
    public void SortPending()
    {
        _latinOrder.SortPending();
        _abjadOrder.SortPending();
    }

    /// <summary>Vocabulary tokens close to <paramref name="q"/>, with their similarity. With <paramref name="prefix"/>
    /// the query token may also be the start of a longer token (autocomplete).</summary>
    public List<VocabMatch> Match(QueryToken q, bool prefix)
    {
        var candidates = new HashSet<int>();
        if (q.IsAbjad)
        {
            Collect(_byAbjad, q.Abjad, candidates);
            CollectDeletes(_abjadDeletes, q.Abjad, 3, candidates);
        }
        else
        {
            if (_byLatin.TryGetValue(q.Latin, out var exact)) candidates.Add(exact);
            Collect(_bySound, q.Sound, candidates);
            if (q.Skeleton.Length >= 2) Collect(_bySkeleton, q.Skeleton, candidates);
            CollectDeletes(_latinDeletes, q.Latin, MinDeleteLength, candidates);
            CollectDeletes(_soundDeletes, q.Sound, MinDeleteLength, candidates);
            // Names indexed from Arabic or Hebrew script are reachable only through the abjad key.
            var viaAbjad = new HashSet<int>();
            Collect(_byAbjad, q.Abjad, viaAbjad);
            CollectDeletes(_abjadDeletes, q.Abjad, 3, viaAbjad);
            foreach (var id in viaAbjad) if (_tokens[id].FromAbjad) candidates.Add(id);
        }

        var result = new List<VocabMatch>(candidates.Count + 8);
        foreach (var id in candidates)
        {
            var (s, via) = Similarity(q, _tokens[id]);
            if (s >= 0.55) result.Add(new VocabMatch(id, s, via));
        }

        if (prefix)
        {
            // Arabic or Hebrew script is typed consonants first, so its prefix is a prefix of the abjad key.
            var (order, typed) = q.IsAbjad ? (_abjadOrder, q.Abjad) : (_latinOrder, q.Latin);
            if (typed.Length > 0)
            {
                foreach (var id in order.StartingWith(typed, MaxPrefixTokens))
                {
                    var full = order.KeyOf(id);
                    if (full.Length == typed.Length || candidates.Contains(id)) continue;
                    // A typed prefix is a strong hint, and the more of the token it covers the stronger.
                    var s = 0.8 + 0.2 * typed.Length / full.Length;
                    result.Add(new VocabMatch(id, s, TokenVia.Exact));
                }
            }
        }
        return result;
    }

    /// <summary>Similarity of a query token and a vocabulary token, and which key made them meet.</summary>
    internal const double SameSound = 0.96;

    public static (double Similarity, TokenVia Via) Similarity(QueryToken q, VocabToken v)
    {
        if (q.IsAbjad || v.FromAbjad)
            return (NameSimilarity.AbjadSimilarity(q.Abjad, v.Abjad), TokenVia.Abjad);
        if (string.Equals(q.Latin, v.Latin, StringComparison.Ordinal)) return (1.0, TokenVia.Exact);
        var best = NameSimilarity.EditSimilarity(q.Latin, v.Latin);
        var via = TokenVia.Fuzzy;
        if (string.Equals(q.Sound, v.Sound, StringComparison.Ordinal))
        {
            // Same sound key: the same name spelt another way (Mohammed/Muhammad), nearly as good as exact.
            if (best < SameSound) { best = SameSound; via = TokenVia.Phonetic; }
        }
        else
        {
            var sound = NameSimilarity.SoundSimilarity(q.Sound, v.Sound) * 0.95;
            if (sound > best) best = sound;
        }
        if (q.Skeleton.Length >= 2 && string.Equals(q.Skeleton, v.Skeleton, StringComparison.Ordinal))
        {
            // A shared skeleton of two consonants says little (Hassan, Hossein and Husni all give "hsn"-like keys).
            var skeleton = q.Skeleton.Length >= 3 ? 0.85 : 0.75;
            if (best < skeleton) { best = skeleton; via = TokenVia.Phonetic; }
        }
        return (best, via);
    }

    private static void Collect(Dictionary<string, List<int>> map, string key, HashSet<int> into)
    {
        if (map.TryGetValue(key, out var ids))
            foreach (var id in ids) into.Add(id);
    }

    private static void CollectDeletes(Dictionary<string, List<int>> map, string key, int minLength, HashSet<int> into)
    {
        if (key.Length < minLength - 1) return;
        Collect(map, key, into);
        if (key.Length < minLength) return;
        for (var i = 0; i < key.Length; i++)
        {
            if (i > 0 && key[i] == key[i - 1]) continue;
            Collect(map, key.Remove(i, 1), into);
        }
    }

    private static void AddWithDeletes(Dictionary<string, List<int>> map, string key, int id, int minLength)
    {
        if (key.Length < minLength - 1) return;
        Add(map, key, id);
        if (key.Length < minLength) return;
        for (var i = 0; i < key.Length; i++)
        {
            if (i > 0 && key[i] == key[i - 1]) continue;
            Add(map, key.Remove(i, 1), id);
        }
    }

    private static void Add(Dictionary<string, List<int>> map, string key, int id)
    {
        if (key.Length == 0) return;
        if (!map.TryGetValue(key, out var ids)) map[key] = ids = [];
        if (ids.Count == 0 || ids[^1] != id) ids.Add(id);
    }

    /// <summary>Token ids sorted by one key, for prefix lookups (autocomplete).</summary>
    private sealed class PrefixOrder(List<VocabToken> tokens, Func<VocabToken, string> key)
    {
        private readonly List<int> _sorted = [];

        public List<int> Pending { get; } = [];

        public string KeyOf(int id) => key(tokens[id]);

        public void SortPending()
        {
            if (Pending.Count == 0) return;
            if (Pending.Count > 64)
            {
                _sorted.AddRange(Pending);
                _sorted.Sort((a, b) => string.CompareOrdinal(KeyOf(a), KeyOf(b)));
            }
            else
            {
                foreach (var id in Pending) _sorted.Insert(LowerBound(KeyOf(id)), id);
            }
            Pending.Clear();
        }

        public IEnumerable<int> StartingWith(string prefix, int max)
        {
            var start = LowerBound(prefix);
            for (var k = start; k < _sorted.Count && k - start < max; k++)
            {
                if (!KeyOf(_sorted[k]).StartsWith(prefix, StringComparison.Ordinal)) yield break;
                yield return _sorted[k];
            }
        }

        private int LowerBound(string value)
        {
            int lo = 0, hi = _sorted.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (string.CompareOrdinal(KeyOf(_sorted[mid]), value) < 0) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }
}
