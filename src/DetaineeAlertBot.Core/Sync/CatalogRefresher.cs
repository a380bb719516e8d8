using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>CatalogRefresher brings this instance's in-memory catalog up to what other instances wrote to the shared
/// database: every case with a newer status history row (new cases, status changes) and every source's baseline.
/// It runs on a timer (the host's CatalogRefreshService) and right before each document is applied (the pipeline's
/// <see cref="Stages.CatchUpStage"/>), so diffs and lookups on any instance are current.
/// Cost: one indexed query on the history id while nothing changed.</summary>
public sealed class CatalogRefresher(ICaseChangeReader reader, CaseCatalog catalog, AppliedDocuments applied, ILogger<CatalogRefresher> logger)
{
    // History ids come from a sequence: a transaction that took a lower id can commit after one with a higher id.
    // Re-reading a window below the mark picks such late commits up; unchanged cases in it cost a comparison only.
    private const long LateCommitWindow = 500;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _mark = -1;

    /// <summary>Takes the mark before the catalog's first full load, so nothing written in between is missed.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var mark = await reader.GetHistoryMarkAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.CompareExchange(ref _mark, mark, -1);
    }

    /// <summary>Reads and applies what changed since the last call; returns how many cases were updated.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_mark < 0) _mark = 0;
            var changes = await reader.ReadChangesAsync(Math.Max(0, _mark - LateCommitWindow), cancellationToken).ConfigureAwait(false);
            var updated = new List<StoredCase>();
            foreach (var stored in changes.Cases)
            {
                if (!SameForCatalog(catalog.Find(stored.Case.Key), stored)) updated.Add(stored);
            }
            foreach (var stored in updated) catalog.Put(stored, updateSearch: false);
            if (updated.Count > 0) catalog.Search.Upsert(updated.Select(s => s.Case).ToArray());
            // A document this instance applied before is no longer the state of its source: the same bytes pushed here
            // again must be diffed (against the other instance's change), not skipped as identical.
            foreach (var source in updated.Select(s => s.Case.Source).Distinct(StringComparer.Ordinal)) applied.Forget(source);

            foreach (var source in changes.Sources)
            {
                // An empty plan marks a source baselined (and keeps its cases): a source another instance baselined
                // must not be baselined again here, which would store its next changes without alerts.
                if (!catalog.IsBaselined(source.Name)) catalog.Apply(new SyncPlan(source.Name, source.LastSyncAt, false, [], [], []));
            }
            _mark = Math.Max(_mark, changes.HistoryMark);
            if (updated.Count > 0)
            {
                logger.LogInformation("Catalog caught up with {Count} case(s) changed by another instance", updated.Count);
            }
            return updated.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool SameForCatalog(StoredCase? known, StoredCase stored) =>
        known is not null
        && known.Case.Status == stored.Case.Status
        && known.Case.StatusSince == stored.Case.StatusSince
        && known.Case.Name == stored.Case.Name
        && known.Case.Aliases.SequenceEqual(stored.Case.Aliases)
        && known.NotSeenSince == stored.NotSeenSince;
}
