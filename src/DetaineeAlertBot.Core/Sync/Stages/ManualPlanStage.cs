using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Feeds;

namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Plan, for a change made by hand (<see cref="SyncContext.Manual"/>): the one case as the person set it, against
/// the catalog. A status set on a feed's case remembers what the feed said, so the feed wins again only when it changes
/// its own value (<see cref="StoredCase.FeedStatus"/>); a case added by hand (source <c>manual</c>) has no feed.</summary>
public sealed class ManualPlanStage(CaseCatalog catalog, TimeProvider time) : ISyncStage
{
    public string Name => "plan";

    public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var change = context.Manual ?? throw new InvalidOperationException("the manual plan stage needs a manual change");
        var desired = change.Case;
        var stored = catalog.Find(desired.Key);
        context.Parsed = new FeedParseResult(context.Source, [desired], [], null, 1);
        if (change.IsNew != (stored is null))
        {
            context.Report = SyncReport.Refused(context.Source, change.IsNew ? $"case {desired.Key} exists already" : $"case {desired.Key} is not known", [], 0);
            return Task.CompletedTask;
        }

        var kind = ChangeDetector.Compare(stored, desired);
        CaseUpsert? upsert = null;
        if (kind != ChangeKind.Unchanged)
        {
            // The feed's own value: kept from an earlier manual status, else what the feed says now. A manual status equal
            // to the feed's value ends the manual status.
            var feedSays = desired.Source == ManualEdit.Source || stored is null ? (CaseStatus?)null : stored.FeedStatus ?? stored.Case.Status;
            var feedStatus = kind == ChangeKind.StatusChanged && feedSays != desired.Status ? feedSays : stored?.FeedStatus;
            if (feedStatus == desired.Status) feedStatus = null;
            upsert = new CaseUpsert(desired, kind, stored?.Case.Status, stored?.Case.StatusSince, feedStatus, change.Edit,
                EndsManualStatus: stored?.FeedStatus is not null && feedStatus is null);
        }
        context.Plan = new SyncPlan(context.Source, context.ReceivedAt ?? time.GetUtcNow(), !catalog.IsBaselined(context.Source),
            upsert is null ? [] : [upsert], [], []);
        return Task.CompletedTask;
    }
}
