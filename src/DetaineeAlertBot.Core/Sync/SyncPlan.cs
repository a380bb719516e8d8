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
/// <param name="FeedStatus">What to keep as the feed's own status while a manual status stands (see
/// <see cref="StoredCase.FeedStatus"/>); null: the status written is the feed's own.</param>
/// <param name="Manual">Set when the change was made by hand: recorded with the history row.</param>
/// <param name="EndsManualStatus">A manual status stood before this write and no longer does (the feed changed its own
/// value, or now says the same): the stored feed status is cleared.</param>
public sealed record CaseUpsert(CaseRecord Case, ChangeKind Kind, CaseStatus? PreviousStatus, DateOnly? PreviousStatusSince = null,
    CaseStatus? FeedStatus = null, ManualEdit? Manual = null, bool EndsManualStatus = false)
{
    /// <summary>Whether writing this case touches the manual-status bookkeeping at all (most writes do not).</summary>
    public bool TouchesFeedStatus => FeedStatus is not null || EndsManualStatus;
}

/// <summary>What the store did with a plan.</summary>
/// <param name="StatusChanges">History rows written for status changes (not first sightings).</param>
/// <param name="AlertsQueued">Outbox rows created, one per watching channel per status change.</param>
/// <param name="Conflicts">Status changes skipped because the stored status no longer matched PreviousStatus.</param>
/// <param name="Claimed">Outbox rows claimed in the same transaction for the dispatcher's offered claim (see
/// <see cref="Alerts.DeliveryHandoff"/>); null when no claim was asked for.</param>
public sealed record ApplyResult(int CasesWritten, int StatusChanges, int AlertsQueued, int Conflicts, ClaimedBatch? Claimed = null);
