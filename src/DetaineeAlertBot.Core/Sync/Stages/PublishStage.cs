using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Publish: hand the rows the store claimed to the dispatcher and wake it for the alerts the store queued,
/// count what happened, and report it.</summary>
public sealed class PublishStage(AlertSignal alertSignal, BotMetrics metrics, ILogger<PublishStage> logger, DeliveryHandoff? handoff = null) : ISyncStage
{
    public string Name => "publish";

    public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var result = context.Result ?? throw new InvalidOperationException("the store stage has not run");
        var plan = context.PlanOrThrow;
        var source = new KeyValuePair<string, object?>("source", context.Source);
        if (context.Claim is { } claim && result.Claimed is { Items.Count: > 0 } claimed && handoff?.Hand(claim, claimed) != true)
        {
            // The dispatcher stopped or started a new term in between: that term takes these rows over at once.
            logger.LogInformation("{Count} alert(s) claimed by the sync were not handed over (the dispatcher's term {Term} ended); the next term sends them",
                claimed.Items.Count, claim.Term);
        }
        if (result.AlertsQueued > 0) alertSignal.Notify();
        metrics.DocumentsSynced.Add(1, source, new("result", "applied"));
        if (result.StatusChanges > 0) metrics.StatusChanges.Add(result.StatusChanges, source);
        if (result.AlertsQueued > 0) metrics.AlertsQueued.Add(result.AlertsQueued, source);

        var report = SyncReport.Applied(context.Source, plan, context.ParsedOrThrow, result, TimeSpan.Zero);
        context.Report = report;
        if (plan.IsBaseline)
        {
            logger.LogInformation("Source {Source}: baseline of {Cases} case(s) stored; alerts start with the next change", context.Source, report.Accepted);
        }
        else if (report.HasChanges)
        {
            logger.LogInformation("Source {Source}: {Summary}", context.Source, report.Summary);
        }

        return Task.CompletedTask;
    }
}
