using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;

namespace DetaineeAlertBot.Search;

/// <summary>NameIndex holds the data behind <see cref="CaseSearchIndex"/>. It is not thread-safe by itself: the owner
/// serialises writers against readers.</summary>
/// <remarks>Lookup runs in two passes. Each query token is first matched against the vocabulary of distinct name
/// tokens (exact, sound key, skeleton, abjad key, and one-deletion neighbours for typos), which is small. The
/// postings of the matched tokens then give candidate names with a cheap score, and only the best
/// <see cref="SearchOptions.CandidatePoolSize"/> names are scored in full.</remarks>
internal sealed class NameIndex(SearchOptions options)
{
    private readonly List<CaseSlot> _cases = [];
    private readonly Dictionary<CaseKey, int> _caseByKey = [];
    private readonly Dictionary<CaseKey, int> _caseByKeyIgnoreCase = new(KeyIgnoringCase.Instance);
    // Ids are unique per source only; most ids occur once, so only shared ids get a list.
    private readonly Dictionary<string, int> _caseById = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<int>> _sharedIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<NameEntry> _entries = [];
    private readonly Vocabulary _vocabulary = new();

    public int CaseCount => _caseByKey.Count;
    public int EntryCount => _entries.Count;
    public int DeadEntries { get; private set; }

    public IEnumerable<CaseRecord> LiveRecords() => _cases.Where(c => c.Record is not null).Select(c => c.Record!);

    public void AddRange(IEnumerable<CaseRecord> records) => Add(Prepare(records));

    /// <summary>Normalises a batch. Needs no index state, so the owner runs it outside its write lock.</summary>
    public static PreparedBatch Prepare(IEnumerable<CaseRecord> records)
    {
        var list = records as IReadOnlyList<CaseRecord> ?? records.ToList();
        // Normalising is the costly part of indexing, so big batches use every core.
        var names = new PreparedName[list.Count][];
        if (list.Count >= 2_000)
            Parallel.For(0, list.Count, i => names[i] = NormalizeAll(list[i]));
        else
            for (var i = 0; i < list.Count; i++) names[i] = NormalizeAll(list[i]);
        return new PreparedBatch(list, names);
    }

    public void Add(PreparedBatch batch)
    {
        for (var i = 0; i < batch.Records.Count; i++) Add(batch.Records[i], batch.Names[i]);
        _vocabulary.SortPending();
    }

    internal sealed record PreparedBatch(IReadOnlyList<CaseRecord> Records, PreparedName[][] Names);

    private static PreparedName[] NormalizeAll(CaseRecord record)
    {
        var result = new PreparedName[1 + record.Aliases.Count];
        result[0] = Prepare(record.Name);
        for (var i = 0; i < record.Aliases.Count; i++) result[i + 1] = Prepare(record.Aliases[i]);
        return result;
    }

    private static PreparedName Prepare(string text)
    {
        var name = NameNormalizer.Normalize(text);
        var t = name.Tokens;
        if (t.Length < 2 || name.Abjad) return new PreparedName(name, null, null);
        return new PreparedName(name, PhoneticKey.Sound(string.Concat(t)), PhoneticKey.Sound(t[^1] + string.Concat(t[..^1])));
    }

    internal readonly record struct PreparedName(NormalizedName Name, string? JoinedSound, string? JoinedSoundRotated);

    private void Add(CaseRecord record, PreparedName[] names)
    {
        var key = record.Key;
        if (_caseByKey.TryGetValue(key, out var caseIndex))
        {
            var slot = _cases[caseIndex];
            foreach (var e in slot.Entries)
            {
                _entries[e].Alive = false;
                DeadEntries++;
            }
            slot.Record = record;
            slot.Entries = AddEntries(caseIndex, names);
            return;
        }
        caseIndex = _cases.Count;
        _cases.Add(new CaseSlot(record, []));
        _cases[caseIndex].Entries = AddEntries(caseIndex, names);
        _caseByKey[key] = caseIndex;
        _caseByKeyIgnoreCase.TryAdd(key, caseIndex);
        if (_sharedIds.TryGetValue(record.Id, out var shared)) shared.Add(caseIndex);
        else if (_caseById.Remove(record.Id, out var first)) _sharedIds[record.Id] = [first, caseIndex];
        else _caseById[record.Id] = caseIndex;
    }

    private int[] AddEntries(int caseIndex, PreparedName[] names)
    {
        var ids = new int[names.Length];
        var count = 0;
        for (var k = 0; k < names.Length; k++)
        {
            var name = names[k].Name;
            if (name.Tokens.Length == 0 || IsDuplicate(names, k)) continue;
            var tokenIds = new int[name.Tokens.Length];
            double weight = 0;
            for (var i = 0; i < tokenIds.Length; i++)
            {
                tokenIds[i] = _vocabulary.Intern(name.Tokens[i], name.Abjad);
                weight += _vocabulary[tokenIds[i]].Weight;
            }
            var entryId = _entries.Count;
            var entry = new NameEntry(caseIndex, k > 0, name.Original, tokenIds, name.NonLatin) { TotalWeight = weight };
            for (var i = 0; i < tokenIds.Length; i++)
                if (Array.IndexOf(tokenIds, tokenIds[i], 0, i) < 0) _vocabulary[tokenIds[i]].Postings.Add(entryId);
            entry.JoinedSound = names[k].JoinedSound;
            entry.JoinedSoundRotated = names[k].JoinedSoundRotated;
            _entries.Add(entry);
            ids[count++] = entryId;
        }
        return count == ids.Length ? ids : ids[..count];
    }

    // An alias that normalises to the name (or to an earlier alias) adds nothing but a duplicate hit.
    private static bool IsDuplicate(PreparedName[] names, int k)
    {
        for (var i = 0; i < k; i++)
            if (names[i].Name.Tokens.AsSpan().SequenceEqual(names[k].Name.Tokens)) return true;
        return false;
    }

    // Longer input is not a name someone typed; cut it rather than spend time on it.
    private const int MaxQueryLength = 200;

    public SearchResult Search(string query, int maxResults)
    {
        if (query.Length > MaxQueryLength) query = query[..MaxQueryLength];
        if (TryIdLookup(query, out var byId)) return byId;

        var name = NameNormalizer.Normalize(query);
        if (name.Tokens.Length == 0) return new SearchResult(SearchOutcome.NoMatch, [], []);
        var q = QueryToken.From(name);
        var matches = new List<VocabMatch>[q.Length];
        for (var i = 0; i < q.Length; i++) matches[i] = _vocabulary.Match(q[i], prefix: false);

        var pool = SelectCandidates(q, matches, options.CandidatePoolSize);
        if (pool.Count == 0 && !name.Abjad)
        {
            // Nothing shares a key with the query: names starting with the same letters are still worth offering as
            // "nearest" (they will be far below the threshold, so the outcome stays NoMatch).
            for (var i = 0; i < q.Length; i++) matches[i] = _vocabulary.Match(q[i].Head(2), prefix: true);
            pool = SelectCandidates(q, matches, 32);
            for (var i = 0; i < q.Length; i++) matches[i] = [];
        }
        var joined = q.Length > 1 && !name.Abjad ? PhoneticKey.Sound(string.Concat(name.Tokens)) : null;
        // Candidate names share few distinct tokens, so token similarities are memoised per query token.
        var memo = new Dictionary<int, VocabMatch>[q.Length];
        for (var i = 0; i < q.Length; i++)
        {
            memo[i] = new Dictionary<int, VocabMatch>(matches[i].Count * 2);
            foreach (var vm in matches[i]) memo[i][vm.TokenId] = vm;
        }
        var best = new Dictionary<int, Scored>();
        foreach (var entryId in pool)
        {
            var scored = ScoreEntry(q, memo, entryId, joined);
            var caseIndex = _entries[entryId].CaseIndex;
            // Prefer the case's own name over an alias when both score the same.
            if (!best.TryGetValue(caseIndex, out var current) || scored.Score > current.Score + 1e-9
                || (Math.Abs(scored.Score - current.Score) <= 1e-9 && !_entries[entryId].IsAlias && _entries[current.EntryId].IsAlias))
                best[caseIndex] = scored;
        }
        var ranked = best.Values.OrderByDescending(s => s.Score).ThenBy(s => s.EntryId).ToList();
        return Decide(name, ranked, maxResults);
    }

    private SearchResult Decide(NormalizedName name, List<Scored> ranked, int maxResults)
    {
        if (ranked.Count == 0 || ranked[0].Score < options.MatchThreshold)
        {
            var nearest = ranked.Take(3).Select(s => ToHit(name, s)).ToList();
            return new SearchResult(SearchOutcome.NoMatch, [], nearest);
        }
        var top = ranked[0];
        var tied = ranked.Where(s => s.Score >= options.MatchThreshold &&
            (s.Score >= top.Score - options.AmbiguityMargin
             // A part of a name (a shared family name) that two people both carry is a tie, whatever else they are called.
             || (top.Partial && s.Partial && s.QueryScore >= top.QueryScore - 0.02))).ToList();
        if (tied.Count > 1)
        {
            var hits = tied.Take(Math.Max(maxResults, 10)).Select(s => ToHit(name, s)).ToList();
            return new SearchResult(SearchOutcome.Ambiguous, hits, []);
        }
        var answer = new List<SearchHit> { ToHit(name, top) };
        answer.AddRange(ranked.Skip(1).Where(s => s.Score >= options.OtherMatchThreshold).Take(maxResults - 1).Select(s => ToHit(name, s)));
        return new SearchResult(SearchOutcome.Match, answer, []);
    }

    private bool TryIdLookup(string query, out SearchResult result)
    {
        result = null!;
        // Exact key first: two ids may differ only in letter case.
        if (CaseKey.TryParse(query, out var key)
            && (_caseByKey.TryGetValue(key, out var exact) || _caseByKeyIgnoreCase.TryGetValue(key, out exact)))
        {
            result = new SearchResult(SearchOutcome.Match, [IdHit(exact)], []);
            return true;
        }
        // A bare id has no spaces; anything else is a name.
        if (query.Any(char.IsWhiteSpace)) return false;
        if (_caseById.TryGetValue(query, out var single))
        {
            result = new SearchResult(SearchOutcome.Match, [IdHit(single)], []);
            return true;
        }
        if (_sharedIds.TryGetValue(query, out var sameId))
        {
            var hits = sameId.Select(IdHit).ToList();
            result = new SearchResult(SearchOutcome.Ambiguous, hits, []);
            return true;
        }
        return false;
    }

    private sealed class KeyIgnoringCase : IEqualityComparer<CaseKey>
    {
        public static readonly KeyIgnoringCase Instance = new();

        public bool Equals(CaseKey x, CaseKey y) =>
            string.Equals(x.Source, y.Source, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Id, y.Id, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode(CaseKey key) =>
            HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(key.Source), StringComparer.OrdinalIgnoreCase.GetHashCode(key.Id));
    }

    private SearchHit IdHit(int caseIndex)
    {
        var r = _cases[caseIndex].Record!;
        return new SearchHit(r.Key, r.Name, 1.0, MatchKind.Id, null, $"matched case id {r.Key}");
    }

    // Cheap first pass: sum, per name, the best similarity of each query token among the name's tokens, and keep
    // the names with the highest sums.
    private List<int> SelectCandidates(QueryToken[] q, List<VocabMatch>[] matches, int poolSize)
    {
        var scratch = Scratch.For(_entries.Count);
        scratch.NextQuery();
        for (var i = 0; i < q.Length; i++)
        {
            scratch.NextToken();
            foreach (var m in matches[i])
            {
                var value = (float)(Shape(m.Similarity) * q[i].Weight);
                foreach (var e in _vocabulary[m.TokenId].Postings)
                    scratch.Max(e, value);
            }
            scratch.FlushToken();
        }
        var queryWeight = q.Sum(t => t.Weight);
        var heap = new PriorityQueue<int, float>(poolSize + 1);
        foreach (var e in scratch.Touched)
        {
            var entry = _entries[e];
            if (!entry.Alive) continue;
            // Among equal first-pass scores prefer names about as long as the query, so a whole-name match is never
            // crowded out by longer names that merely contain the query ("Avraham Avraham" among many "Avraham X").
            var score = scratch.Total[e] - 0.001f * (float)Math.Abs(entry.TotalWeight - queryWeight);
            if (heap.Count < poolSize) heap.Enqueue(e, score);
            else if (heap.TryPeek(out _, out var min) && score > min) heap.EnqueueDequeue(e, score);
        }
        var pool = new List<int>(heap.Count);
        while (heap.TryDequeue(out var e, out _)) pool.Add(e);
        return pool;
    }

    /// <summary>Below 0.8 a token pair is more likely two different names than one name spelt two ways; cubing
    /// makes such pairs count much less than a close spelling.</summary>
    internal static double Shape(double similarity) => similarity >= 0.8 ? similarity : similarity * similarity * similarity;

    private Scored ScoreEntry(QueryToken[] q, Dictionary<int, VocabMatch>[] memo, int entryId, string? joinedQuery)
    {
        var entry = _entries[entryId];
        var n = q.Length;
        var m = entry.TokenIds.Length;
        Span<double> sim = stackalloc double[n * m];
        Span<byte> via = stackalloc byte[n * m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                var tokenId = entry.TokenIds[j];
                if (!memo[i].TryGetValue(tokenId, out var vm))
                {
                    var (s, v) = Vocabulary.Similarity(q[i], _vocabulary[tokenId]);
                    memo[i][tokenId] = vm = new VocabMatch(tokenId, s, v);
                }
                sim[i * m + j] = vm.Similarity;
                via[i * m + j] = (byte)vm.Via;
            }
        }

        // Greedy one-to-one assignment, best pairs first: names are short, so this is as good as optimal here.
        Span<bool> rowUsed = stackalloc bool[n];
        Span<bool> colUsed = stackalloc bool[m];
        Span<int> assigned = stackalloc int[n];
        assigned.Fill(-1);
        for (var k = 0; k < Math.Min(n, m); k++)
        {
            var bi = -1; var bj = -1; var bs = -1.0;
            for (var i = 0; i < n; i++)
            {
                if (rowUsed[i]) continue;
                for (var j = 0; j < m; j++)
                    if (!colUsed[j] && sim[i * m + j] > bs) { bs = sim[i * m + j]; bi = i; bj = j; }
            }
            if (bi < 0) break;
            rowUsed[bi] = true; colUsed[bj] = true; assigned[bi] = bj;
        }

        double qSum = 0, qWeight = 0, cSum = 0;
        var worst = TokenVia.Exact;
        var inOrder = true;
        var lastJ = -1;
        for (var i = 0; i < n; i++)
        {
            qWeight += q[i].Weight;
            var j = assigned[i];
            if (j < 0) { worst = TokenVia.Fuzzy; continue; }
            var s = Shape(sim[i * m + j]);
            qSum += q[i].Weight * s;
            cSum += _vocabulary[entry.TokenIds[j]].Weight * s;
            var v = (TokenVia)via[i * m + j];
            if (v > worst) worst = v;
            if (j < lastJ) inOrder = false;
            lastJ = j;
        }
        var queryScore = qSum / Math.Max(qWeight, 1e-9);
        var coverage = cSum / Math.Max(entry.TotalWeight, 1e-9);
        // Whole-name bonus: a query that accounts for every part of a name beats one that matches a part.
        var score = 0.8 * queryScore + 0.2 * coverage;
        var partial = n < m && queryScore >= 0.8;

        // Concatenated comparison catches split or joined given names ("Ch'iao Chih-wei" vs "Qiao Zhiwei").
        if (n != m && (joinedQuery is not null || (m > 1 && n == 1 && !q[0].IsAbjad)))
        {
            var jq = joinedQuery ?? q[0].Sound;
            if (entry.JoinedSound is not null)
            {
                var js = Math.Max(NameSimilarity.SoundSimilarity(jq, entry.JoinedSound),
                    NameSimilarity.SoundSimilarity(jq, entry.JoinedSoundRotated!));
                if (js >= 0.9 && js * 0.95 > score)
                {
                    score = js * 0.95;
                    queryScore = coverage = js;
                    partial = false;
                    worst = TokenVia.Phonetic;
                }
            }
        }
        return new Scored(entryId, score, queryScore, coverage, worst, inOrder, partial);
    }

    private SearchHit ToHit(NormalizedName query, Scored s)
    {
        var entry = _entries[s.EntryId];
        var record = _cases[entry.CaseIndex].Record!;
        var alias = entry.IsAlias ? entry.Text : null;
        MatchKind kind;
        string explanation;
        if (query.NonLatin)
        {
            kind = MatchKind.Transliteration;
            explanation = $"matched transliteration of {query.Original}" + (alias is null ? "" : $" (alias {alias})");
        }
        else if (entry.NonLatinText)
        {
            kind = MatchKind.Transliteration;
            explanation = $"matched transliteration of {entry.Text}";
            alias = entry.Text;
        }
        else if (entry.IsAlias)
        {
            kind = MatchKind.Alias;
            explanation = s.Worst == TokenVia.Exact ? $"matched alias {entry.Text}" : $"close spelling of alias {entry.Text}";
        }
        else if (s.Partial)
        {
            kind = MatchKind.Partial;
            explanation = s.Worst == TokenVia.Exact ? $"matched part of the name {entry.Text}" : $"close spelling of part of the name {entry.Text}";
        }
        else if (s.Worst == TokenVia.Exact && s.Coverage >= 0.999)
        {
            if (string.Equals(Collapse(query.Original), Collapse(entry.Text), StringComparison.Ordinal))
            {
                kind = MatchKind.Exact;
                explanation = "";
            }
            else
            {
                kind = MatchKind.Normalized;
                explanation = s.InOrder
                    ? $"matched {entry.Text} ignoring case, accents and punctuation"
                    : $"matched {entry.Text} with the names in another order";
            }
        }
        else if (s.Worst == TokenVia.Phonetic)
        {
            kind = MatchKind.Phonetic;
            explanation = $"spelling variant of {entry.Text}";
        }
        else
        {
            kind = MatchKind.Fuzzy;
            explanation = $"close spelling of {entry.Text}";
        }
        return new SearchHit(record.Key, record.Name, Math.Round(Math.Clamp(s.Score, 0, 1), 4), kind, alias, explanation);
    }

    private static string Collapse(string text) => string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public IReadOnlyList<SearchHit> Autocomplete(string partial, int maxResults)
    {
        if (partial.Length > MaxQueryLength) partial = partial[..MaxQueryLength];
        var name = NameNormalizer.Normalize(partial);
        if (name.Tokens.Length == 0) return [];
        var q = QueryToken.From(name);
        var matches = new List<VocabMatch>[q.Length];
        for (var i = 0; i < q.Length; i++)
            matches[i] = _vocabulary.Match(q[i], prefix: i == q.Length - 1);

        var scratch = Scratch.For(_entries.Count);
        scratch.NextQuery();
        for (var i = 0; i < q.Length; i++)
        {
            scratch.NextToken();
            foreach (var m in matches[i])
            {
                var value = (float)(Shape(m.Similarity) * q[i].Weight);
                foreach (var e in _vocabulary[m.TokenId].Postings) scratch.Max(e, value);
            }
            scratch.FlushToken();
        }
        var totalWeight = (float)q.Sum(t => t.Weight);
        var heap = new PriorityQueue<int, (float Score, int Negative)>(maxResults * 4 + 1);
        var capacity = maxResults * 4;
        foreach (var e in scratch.Touched)
        {
            var entry = _entries[e];
            if (!entry.Alive) continue;
            var score = scratch.Total[e] / totalWeight;
            if (score < 0.6f) continue;
            // Among equals prefer shorter names: "Amir" should suggest "Amir Amini" before "Amir Hossein Amini-Rad".
            var priority = (score - entry.TokenIds.Length * 0.001f, -e);
            if (heap.Count < capacity) heap.Enqueue(e, priority);
            else heap.EnqueueDequeue(e, priority);
        }
        var ordered = new List<(int Entry, float Score)>(heap.Count);
        while (heap.TryDequeue(out var e, out var p)) ordered.Add((e, p.Score));
        ordered.Reverse();
        var seen = new HashSet<int>();
        var hits = new List<SearchHit>(maxResults);
        foreach (var (e, score) in ordered)
        {
            var entry = _entries[e];
            if (!seen.Add(entry.CaseIndex)) continue;
            var record = _cases[entry.CaseIndex].Record!;
            var kind = entry.IsAlias ? MatchKind.Alias : MatchKind.Partial;
            var explanation = entry.IsAlias ? $"matched alias {entry.Text}" : "";
            hits.Add(new SearchHit(record.Key, record.Name, Math.Round(Math.Min(score, 1), 4), kind, entry.IsAlias ? entry.Text : null, explanation));
            if (hits.Count == maxResults) break;
        }
        return hits;
    }

    private sealed class CaseSlot(CaseRecord? record, int[] entries)
    {
        public CaseRecord? Record { get; set; } = record;
        public int[] Entries { get; set; } = entries;
    }

    private sealed class NameEntry(int caseIndex, bool isAlias, string text, int[] tokenIds, bool nonLatinText)
    {
        public int CaseIndex { get; } = caseIndex;
        public bool IsAlias { get; } = isAlias;
        public string Text { get; } = text;
        public int[] TokenIds { get; } = tokenIds;
        public bool NonLatinText { get; } = nonLatinText;
        public bool Alive { get; set; } = true;
        public double TotalWeight { get; set; }
        public string? JoinedSound { get; set; }
        public string? JoinedSoundRotated { get; set; }
    }

    private readonly record struct Scored(int EntryId, double Score, double QueryScore, double Coverage, TokenVia Worst, bool InOrder, bool Partial);

    /// <summary>Per-thread accumulators sized to the index, so a lookup allocates nothing per candidate.</summary>
    private sealed class Scratch
    {
        [ThreadStatic] private static Scratch? _current;

        private float[] _tokenBest = [];
        private int[] _tokenStamp = [];
        private int[] _queryStamp = [];
        private int _tokenEpoch;
        private int _queryEpoch;
        private readonly List<int> _tokenTouched = [];

        public float[] Total { get; private set; } = [];
        public List<int> Touched { get; } = [];

        public static Scratch For(int size)
        {
            var s = _current ??= new Scratch();
            if (s.Total.Length < size)
            {
                var n = Math.Max(size, s.Total.Length * 2);
                s.Total = new float[n];
                s._tokenBest = new float[n];
                s._tokenStamp = new int[n];
                s._queryStamp = new int[n];
            }
            return s;
        }

        public void NextQuery()
        {
            Touched.Clear();
            if (++_queryEpoch == int.MaxValue) { Array.Clear(_queryStamp); _queryEpoch = 1; }
        }

        public void NextToken()
        {
            _tokenTouched.Clear();
            if (++_tokenEpoch == int.MaxValue) { Array.Clear(_tokenStamp); _tokenEpoch = 1; }
        }

        public void Max(int e, float value)
        {
            if (_tokenStamp[e] != _tokenEpoch)
            {
                _tokenStamp[e] = _tokenEpoch;
                _tokenBest[e] = value;
                _tokenTouched.Add(e);
            }
            else if (value > _tokenBest[e]) _tokenBest[e] = value;
        }

        public void FlushToken()
        {
            foreach (var e in _tokenTouched)
            {
                if (_queryStamp[e] != _queryEpoch)
                {
                    _queryStamp[e] = _queryEpoch;
                    Total[e] = 0;
                    Touched.Add(e);
                }
                Total[e] += _tokenBest[e];
            }
        }
    }
}
