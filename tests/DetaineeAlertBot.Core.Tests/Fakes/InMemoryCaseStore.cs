using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;

namespace DetaineeAlertBot.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="ICaseStore"/> with the store's rules that the pipeline depends on: a status change
/// is written only while the stored status still equals the plan's PreviousStatus (else it is a conflict), a baseline
/// writes no status change, and each applied plan is kept for assertions. No watchlists: it queues no alert unless
/// <see cref="Watchers"/> says how many channels watch every case.</summary>
public sealed class InMemoryCaseStore : ICaseStore
{
    private readonly Dictionary<CaseKey, StoredCase> _cases = [];
    private readonly Dictionary<string, SourceState> _sources = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public List<SyncPlan> Applied { get; } = [];

    /// <summary>Channels watching each case: alerts queued per status change.</summary>
    public int Watchers { get; set; }

    /// <summary>Sets a case as another writer would, behind the catalog's back.</summary>
    public void Put(CaseRecord record)
    {
        lock (_lock) _cases[record.Key] = new StoredCase(record, _cases.GetValueOrDefault(record.Key)?.FirstSeenAt ?? DateTimeOffset.UnixEpoch, null);
    }

    public Task MigrateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StoreSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(new StoreSnapshot([.. _cases.Values], [.. _sources.Values]));
    }

    /// <summary>The claim each <see cref="ApplyAsync(SyncPlan, ClaimRequest?, CancellationToken)"/> was given (null: none).</summary>
    public List<ClaimRequest?> Claims { get; } = [];

    /// <summary>What a claim returns. The in-memory store keeps no outbox: a test sets the rows "claimed".</summary>
    public ClaimedBatch ClaimResult { get; set; } = ClaimedBatch.Empty;

    public async Task<ApplyResult> ApplyAsync(SyncPlan plan, ClaimRequest? claim, CancellationToken cancellationToken)
    {
        lock (_lock) Claims.Add(claim);
        var result = await ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        return claim is null ? result : result with { Claimed = ClaimResult };
    }

    public Task<ApplyResult> ApplyAsync(SyncPlan plan, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Applied.Add(plan);
            int written = 0, changes = 0, conflicts = 0;
            foreach (var upsert in plan.Upserts)
            {
                var stored = _cases.GetValueOrDefault(upsert.Case.Key);
                if (upsert.Kind == ChangeKind.StatusChanged && stored is not null && stored.Case.Status != upsert.PreviousStatus)
                {
                    conflicts++;
                    continue;
                }

                _cases[upsert.Case.Key] = new StoredCase(upsert.Case, stored?.FirstSeenAt ?? plan.ObservedAt, null);
                written++;
                if (upsert.Kind == ChangeKind.StatusChanged && !plan.IsBaseline) changes++;
            }

            foreach (var key in plan.NotSeen)
            {
                if (_cases.TryGetValue(key, out var stored)) _cases[key] = stored with { NotSeenSince = plan.ObservedAt };
            }

            _sources[plan.Source] = new SourceState(plan.Source, _sources.GetValueOrDefault(plan.Source)?.BaselinedAt ?? plan.ObservedAt, plan.ObservedAt);
            return Task.FromResult(new ApplyResult(written, changes, changes * Watchers, conflicts));
        }
    }

    public Task<IReadOnlyList<StatusHistoryEntry>> GetHistoryAsync(CaseKey key, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StatusHistoryEntry>>([]);
}
