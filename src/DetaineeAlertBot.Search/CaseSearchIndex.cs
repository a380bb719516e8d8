using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;

namespace DetaineeAlertBot.Search;

/// <summary>CaseSearchIndex is the in-memory name index behind /case lookup, /case history, /watchlist and
/// autocomplete. Searches take a read lock and run concurrently; Rebuild builds a new index outside the lock and
/// swaps it in, Upsert edits the live index under the write lock.</summary>
public sealed class CaseSearchIndex : ICaseSearch, IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SearchOptions _options;
    private NameIndex _index;

    public CaseSearchIndex(SearchOptions? options = null)
    {
        _options = options ?? new SearchOptions();
        _index = new NameIndex(_options);
    }

    /// <summary>Number of cases currently indexed.</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _index.CaseCount; }
            finally { _lock.ExitReadLock(); }
        }
    }

    /// <inheritdoc/>
    public void Rebuild(IEnumerable<CaseRecord> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        // Build outside the lock so lookups keep answering from the old index meanwhile.
        var fresh = new NameIndex(_options);
        fresh.AddRange(cases);
        _lock.EnterWriteLock();
        try { _index = fresh; }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc/>
    public void Upsert(IEnumerable<CaseRecord> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var records = cases.ToList();
        if (records.Count == 0) return;
        // Normalise before taking the write lock: lookups wait only for the (cheap) insertion.
        var batch = NameIndex.Prepare(records);
        _lock.EnterWriteLock();
        try
        {
            _index.Add(batch);
            // Replaced names leave dead entries behind; compact once they are a real share of the index.
            if (_index.DeadEntries > 1024 && _index.DeadEntries * 4 > _index.EntryCount)
            {
                var compacted = new NameIndex(_options);
                compacted.AddRange(_index.LiveRecords());
                _index = compacted;
            }
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <inheritdoc/>
    public SearchResult Search(string query, int maxResults = 5)
    {
        if (string.IsNullOrWhiteSpace(query)) return new SearchResult(SearchOutcome.NoMatch, [], []);
        _lock.EnterReadLock();
        try { return _index.Search(query.Trim(), Math.Max(1, maxResults)); }
        finally { _lock.ExitReadLock(); }
    }

    /// <inheritdoc/>
    public IReadOnlyList<SearchHit> Autocomplete(string partial, int maxResults = 25)
    {
        if (string.IsNullOrWhiteSpace(partial) || maxResults <= 0) return [];
        _lock.EnterReadLock();
        try { return _index.Autocomplete(partial.Trim(), maxResults); }
        finally { _lock.ExitReadLock(); }
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Tuning knobs of the ranking. The defaults are what the evaluation set was scored with.</summary>
public sealed record SearchOptions
{
    /// <summary>A case must score at least this (0..1) to be an answer; below it the reply is "no match".</summary>
    public double MatchThreshold { get; init; } = 0.80;

    /// <summary>Cases within this distance of the best score are "about equally close": the outcome is Ambiguous.</summary>
    public double AmbiguityMargin { get; init; } = 0.03;

    /// <summary>Other cases at or above this score are listed as "other matches".</summary>
    public double OtherMatchThreshold { get; init; } = 0.70;

    /// <summary>How many candidate names are fully scored per lookup (after the cheap inverted-index pass).</summary>
    public int CandidatePoolSize { get; init; } = 160;
}
