using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Plan: the parsed cases diffed against the catalog (<see cref="SyncPlanner"/>): new cases, status and detail
/// changes, cases no longer listed, cases listed again.</summary>
public sealed class PlanStage(CaseCatalog catalog, TimeProvider time, ILogger<PlanStage> logger) : ISyncStage
{
    public string Name => "plan";

    public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var parsed = context.ParsedOrThrow;
        // A rejected record was still listed: never "no longer listed". One whose id could not be read may be any
        // stored case, so then no case of this document is marked unseen.
        context.Plan = SyncPlanner.Plan(context.Source, parsed.Cases, parsed.RejectedIds, catalog, context.ReceivedAt ?? time.GetUtcNow(),
            markUnlisted: parsed.RejectedWithoutId == 0);
        if (parsed.RejectedWithoutId > 0)
        {
            logger.LogWarning("Source {Source}: {Count} rejected record(s) have no readable id; no case is marked as no longer listed this time",
                context.Source, parsed.RejectedWithoutId);
        }

        return Task.CompletedTask;
    }
}
