using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Hosting;

namespace DetaineeAlertBot.Workers;

/// <summary>OutboxPruneService keeps the outbox from growing without bound: on the leader, every hour, delivered rows
/// older than Alerts:Retention are deleted in small batches (short transactions that never hold up the dispatcher).
/// Pending and dead rows are never pruned; the status history is kept.</summary>
public sealed class OutboxPruneService(IAlertOutbox outbox, AlertOptions options, TimeProvider time, ILeadership leadership, ILogger<OutboxPruneService> logger)
    : LeaderGatedService(leadership, logger)
{
    public const int BatchSize = 1000;

    /// <summary>Bounds one run; what is left goes at the next run.</summary>
    private const int MaxBatchesPerRun = 500;

    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override string Name => "outbox pruner";

    protected override async Task RunAsLeaderAsync(CancellationToken cancellationToken, CancellationToken lead)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var total = 0;
                for (var batch = 0; batch < MaxBatchesPerRun; batch++)
                {
                    var deleted = await outbox.PruneDeliveredAsync(options.Retention, BatchSize, cancellationToken);
                    total += deleted;
                    if (deleted < BatchSize) break;
                }
                if (total > 0) logger.LogInformation("Pruned {Count} delivered alert(s) older than {Retention} from the outbox", total, options.Retention);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Pruning the outbox failed (tried again in {Interval}): {Error}", Interval, ex.Message);
            }
            await Task.Delay(Interval, time, cancellationToken);
        }
    }
}
