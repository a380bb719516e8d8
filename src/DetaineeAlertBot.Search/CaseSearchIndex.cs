using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;

namespace DetaineeAlertBot.Search;

/// <summary>CaseSearchIndex is the in-memory name index behind /case lookup, /case history, /watchlist and
/// autocomplete. Searches take a read lock and run concurrently. Rebuild (and compaction after many upserts) builds a
/// new index outside the lock and swaps it in; Upsert normalises outside the lock and edits the live index under the
/// write lock, and is replayed on any index being built at the time, so no update is lost to a concurrent rebuild.</summary>
public sealed class CaseSearchIndex : ICaseSearch, IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly SearchOptions _options;
    private readonly List<List<NameIndex.PreparedBatch>> _pendingLogs = [];
    private NameIndex _index;
    private long _generation;
    private bool _compacting;

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
        var log = BeginBuild();
        NameIndex? fresh = null;
        try
        {
            fresh = new NameIndex(_options);
            fresh.AddRange(cases);
        }
        finally
        {
            EndBuild(log, fresh, expectedGeneration: null);
        }
    }

    /// <inheritdoc/>
    public void Upsert(IEnumerable<CaseRecord> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        var records = cases.ToList();
        if (records.Count == 0) return;
        // Normalise before taking the write lock: lookups wait only for the (cheap) insertion.
        var batch = NameIndex.Prepare(records);
        List<CaseRecord>? live = null;
        List<NameIndex.PreparedBatch>? log = null;
        long generation = 0;
        _lock.EnterWriteLock();
        try
        {
            _index.Add(batch);
            foreach (var pending in _pendingLogs) pending.Add(batch);
            // Replaced names leave dead entries behind; compact once they are a real share of the index.
            if (!_compacting && _index.DeadEntries > 1024 && _index.DeadEntries * 4 > _index.EntryCount)
            {
                _compacting = true;
                live = [.. _index.LiveRecords()];
                log = [];
                _pendingLogs.Add(log);
                generation = _generation;
            }
        }
        finally { _lock.ExitWriteLock(); }
        if (live is null) return;

        // Compact outside the lock, like Rebuild; upserts made meanwhile are replayed before the swap.
        NameIndex? compacted = null;
        try
        {
            compacted = new NameIndex(_options);
            compacted.AddRange(live);
        }
        finally
        {
            EndBuild(log!, compacted, generation);
        }
    }

    // A build in progress records the upserts that reach the live index meanwhile, to replay them on its result.
    private List<NameIndex.PreparedBatch> BeginBuild()
    {
        var log = new List<NameIndex.PreparedBatch>();
        _lock.EnterWriteLock();
        try { _pendingLogs.Add(log); }
        finally { _lock.ExitWriteLock(); }
        return log;
    }

    /// <param name="expectedGeneration">For a compaction: the index it was taken from. If a Rebuild replaced that
    /// index meanwhile, the compacted copy is stale and is dropped.</param>
    private void EndBuild(List<NameIndex.PreparedBatch> log, NameIndex? fresh, long? expectedGeneration)
    {
        _lock.EnterWriteLock();
        try
        {
            _pendingLogs.Remove(log);
            if (expectedGeneration is not null) _compacting = false;
            if (fresh is null || (expectedGeneration is { } g && g != _generation)) return;
            foreach (var batch in log) fresh.Add(batch);
            _index = fresh;
            _generation++;
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
