using System.Collections.Concurrent;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>CaseCatalog is the in-memory copy of every stored case, loaded once at start and updated after each
/// committed sync. Diffs and lookups read it instead of the database, so an unchanged 100,000-case document costs
/// no database reads. It also keeps the search index in step with names and aliases.</summary>
public sealed class CaseCatalog(ICaseSearch search)
{
    private readonly ConcurrentDictionary<string, SourceEntry> _sources = new(StringComparer.Ordinal);

    public ICaseSearch Search => search;

    public int Count => _sources.Values.Sum(s => s.Cases.Count);

    public IReadOnlyCollection<string> SourceNames => _sources.Keys.ToArray();

    /// <summary>Replaces everything with a store snapshot and rebuilds the search index.</summary>
    public void Load(StoreSnapshot snapshot)
    {
        _sources.Clear();
        foreach (var state in snapshot.Sources) GetSource(state.Name).State = state;
        foreach (var stored in snapshot.Cases) GetSource(stored.Case.Source).Cases[stored.Case.Id] = stored;
        search.Rebuild(snapshot.Cases.Select(c => c.Case));
    }

    public bool IsBaselined(string source) => _sources.TryGetValue(source, out var entry) && entry.State is not null;

    public SourceState? GetSourceState(string source) => _sources.TryGetValue(source, out var entry) ? entry.State : null;

    public StoredCase? Find(CaseKey key) =>
        _sources.TryGetValue(key.Source, out var entry) && entry.Cases.TryGetValue(key.Id, out var stored) ? stored : null;

    /// <summary>Cases with this id in any source (ids are unique per source only).</summary>
    public IReadOnlyList<StoredCase> FindById(string id) =>
        _sources.Values.Select(s => s.Cases.GetValueOrDefault(id)).OfType<StoredCase>().ToArray();

    public IReadOnlyCollection<StoredCase> CasesOf(string source) =>
        _sources.TryGetValue(source, out var entry) ? (IReadOnlyCollection<StoredCase>)entry.Cases.Values : [];

    /// <summary>Applies a committed plan. Call only after the store's transaction succeeded.</summary>
    public void Apply(SyncPlan plan)
    {
        var entry = GetSource(plan.Source);
        var renamed = new List<CaseRecord>(); // new or renamed: the search index needs them
        foreach (var upsert in plan.Upserts)
        {
            var previous = entry.Cases.GetValueOrDefault(upsert.Case.Id);
            entry.Cases[upsert.Case.Id] = new StoredCase(upsert.Case, previous?.FirstSeenAt ?? plan.ObservedAt, null, upsert.FeedStatus);
            if (previous is null || previous.Case.Name != upsert.Case.Name || !previous.Case.Aliases.SequenceEqual(upsert.Case.Aliases))
            {
                renamed.Add(upsert.Case);
            }
        }
        foreach (var key in plan.NotSeen)
        {
            if (entry.Cases.TryGetValue(key.Id, out var stored) && stored.NotSeenSince is null)
            {
                entry.Cases[key.Id] = stored with { NotSeenSince = plan.ObservedAt };
            }
        }
        foreach (var key in plan.SeenAgain)
        {
            // Upserted cases were already written back as seen above.
            if (entry.Cases.TryGetValue(key.Id, out var stored) && stored.NotSeenSince is not null)
            {
                entry.Cases[key.Id] = stored with { NotSeenSince = null };
            }
        }
        entry.State = new SourceState(plan.Source, entry.State?.BaselinedAt ?? plan.ObservedAt, plan.ObservedAt);
        if (renamed.Count > 0) search.Upsert(renamed);
    }

    /// <summary>Upserts one case outside a sync (tests and benchmarks that load synthetic data).</summary>
    public void Put(StoredCase stored, bool updateSearch = true)
    {
        GetSource(stored.Case.Source).Cases[stored.Case.Id] = stored;
        if (updateSearch) search.Upsert([stored.Case]);
    }

    private SourceEntry GetSource(string source) => _sources.GetOrAdd(source, _ => new SourceEntry());

    private sealed class SourceEntry
    {
        public ConcurrentDictionary<string, StoredCase> Cases { get; } = new(StringComparer.Ordinal);

        public SourceState? State { get; set; }
    }
}

/// <summary>Builds a <see cref="SyncPlan"/> from a parsed document and the catalog: a pure function of its inputs.</summary>
public static class SyncPlanner
{
    /// <param name="rejectedIds">Ids of records the parser refused: they were listed, so they are not "unseen".</param>
    /// <param name="markUnlisted">False when a refused record's id is unknown: then no stored case can be said to be unlisted.</param>
    public static SyncPlan Plan(string source, IReadOnlyList<CaseRecord> incoming, IReadOnlySet<string> rejectedIds, CaseCatalog catalog, DateTimeOffset observedAt,
        bool markUnlisted = true)
    {
        var isBaseline = !catalog.IsBaselined(source);
        var upserts = new List<CaseUpsert>();
        var seenAgain = new List<CaseKey>();
        var listed = new HashSet<string>(incoming.Count, StringComparer.Ordinal);
        foreach (var record in incoming)
        {
            listed.Add(record.Id);
            var stored = catalog.Find(record.Key);
            var planned = record;
            CaseStatus? feedStatus = null;
            if (stored?.FeedStatus is { } feedSaid && record.Status == feedSaid)
            {
                // A status set by hand stands while the feed still says what it said before: the feed has not changed
                // its own value. Its other fields still apply.
                planned = record with { Status = stored.Case.Status, StatusSince = stored.Case.StatusSince };
                feedStatus = feedSaid;
            }
            var kind = ChangeDetector.Compare(stored, planned);
            if (kind != ChangeKind.Unchanged)
            {
                upserts.Add(new CaseUpsert(planned, kind, stored?.Case.Status, stored?.Case.StatusSince, feedStatus,
                    EndsManualStatus: stored?.FeedStatus is not null && feedStatus is null));
            }
            else if (stored?.FeedStatus is not null && feedStatus is null)
            {
                // The feed now says exactly what was set by hand: the status is the feed's own again.
                upserts.Add(new CaseUpsert(planned, ChangeKind.DetailsChanged, stored.Case.Status, stored.Case.StatusSince, EndsManualStatus: true));
            }
            if (stored?.NotSeenSince is not null) seenAgain.Add(record.Key);
        }

        var notSeen = new List<CaseKey>();
        foreach (var stored in catalog.CasesOf(source))
        {
            if (markUnlisted && stored.NotSeenSince is null && !listed.Contains(stored.Case.Id) && !rejectedIds.Contains(stored.Case.Id))
            {
                notSeen.Add(stored.Case.Key);
            }
        }
        return new SyncPlan(source, observedAt, isBaseline, upserts, notSeen, seenAgain);
    }
}
