using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>ICaseStore keeps cases, their status history and per-source sync state.</summary>
public interface ICaseStore
{
    /// <summary>Creates or upgrades the schema (versioned migrations). Safe to call on every start.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>Cheap round trip for health checks; throws when the database is unreachable.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Every stored case and source state, to warm the in-memory catalog at start.</summary>
    Task<StoreSnapshot> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Applies a plan in ONE transaction: case rows, history rows, and for each status change (not on a
    /// baseline) one outbox row per active watchlist entry matching the case, read inside the same transaction.
    /// Also records the source as baselined and its last sync time.</summary>
    Task<ApplyResult> ApplyAsync(SyncPlan plan, CancellationToken cancellationToken);

    /// <summary>As <see cref="ApplyAsync(SyncPlan, CancellationToken)"/>; with <paramref name="claim"/>, the same
    /// transaction then claims due outbox rows for that delivery term (the dispatcher's own claim, with all its checks:
    /// the term is current, per channel and case order, pauses) and returns them in <see cref="ApplyResult.Claimed"/>.</summary>
    Task<ApplyResult> ApplyAsync(SyncPlan plan, ClaimRequest? claim, CancellationToken cancellationToken);

    /// <summary>The case's status timeline, newest first.</summary>
    Task<IReadOnlyList<StatusHistoryEntry>> GetHistoryAsync(CaseKey key, int limit, CancellationToken cancellationToken);
}

public sealed record StoreSnapshot(IReadOnlyList<StoredCase> Cases, IReadOnlyList<SourceState> Sources);
