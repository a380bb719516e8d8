using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Store: the plan in one transaction (cases, history, one outbox row per watching channel and change), then
/// the catalog. When another writer changed some of the cases first, the catalog is reloaded instead, so the next diff
/// is true. While this instance's dispatcher offers its claim (<see cref="DeliveryHandoff"/>), the same transaction
/// claims the new rows for it.</summary>
public sealed class StoreStage(ICaseStore store, CaseCatalog catalog, AppliedDocuments applied, ILogger<StoreStage> logger, DeliveryHandoff? handoff = null)
    : ISyncStage
{
    public string Name => "store";

    public async Task RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var plan = context.PlanOrThrow;
        var nothingToWrite = plan.Upserts.Count == 0 && plan.NotSeen.Count == 0 && plan.SeenAgain.Count == 0 && catalog.IsBaselined(context.Source);
        // A baseline queues no alert, so it has nothing to claim.
        var claim = plan.IsBaseline ? null : handoff?.Offer;
        var result = nothingToWrite ? new ApplyResult(0, 0, 0, 0) : await store.ApplyAsync(plan, claim, cancellationToken).ConfigureAwait(false);
        context.Claim = claim;
        context.Result = result;

        if (result.Conflicts > 0)
        {
            logger.LogWarning("{Conflicts} status change(s) from source {Source} were already applied by another writer; reloading the catalog",
                result.Conflicts, context.Source);
            catalog.Load(await store.LoadAsync(cancellationToken).ConfigureAwait(false));
            return;
        }

        catalog.Apply(plan);
        if (context.Hash is { } hash) applied.Remember(context.Source, hash);
    }
}
