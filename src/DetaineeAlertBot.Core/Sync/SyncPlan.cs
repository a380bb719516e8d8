using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>SyncPlan is everything one document changes in one source, applied by the store in one transaction.</summary>
/// <param name="IsBaseline">The source's first successful sync: store everything, write history, queue no alert.</param>
/// <param name="Upserts">Cases to insert or update; unchanged cases are not listed.</param>
/// <param name="NotSeen">Cases of this source that the document no longer lists: set NotSeenSince (status untouched).</param>
/// <param name="SeenAgain">Cases listed again after being unseen: clear NotSeenSince.</param>
public sealed record SyncPlan(
    string Source,
    DateTimeOffset ObservedAt,
    bool IsBaseline,
    IReadOnlyList<CaseUpsert> Upserts,
    IReadOnlyList<CaseKey> NotSeen,
    IReadOnlyList<CaseKey> SeenAgain);

/// <summary>One case to write. PreviousStatus is what we believe is stored; the store writes a status change
/// only while the stored status still equals it (another writer may have got there first). PreviousStatusSince is
/// the stored statusSince, carried into the alert ("Detained since 2024-12-01" in a release alert).</summary>
public sealed record CaseUpsert(CaseRecord Case, ChangeKind Kind, CaseStatus? PreviousStatus, DateOnly? PreviousStatusSince = null);

/// <summary>What the store did with a plan.</summary>
/// <param name="StatusChanges">History rows written for status changes (not first sightings).</param>
/// <param name="AlertsQueued">Outbox rows created, one per watching channel per status change.</param>
/// <param name="Conflicts">Status changes skipped because the stored status no longer matched PreviousStatus.</param>
/// <param name="Claimed">Outbox rows claimed in the same transaction for the dispatcher's offered claim (see
/// <see cref="Alerts.DeliveryHandoff"/>); null when no claim was asked for.</param>
public sealed record ApplyResult(int CasesWritten, int StatusChanges, int AlertsQueued, int Conflicts, ClaimedBatch? Claimed = null);
