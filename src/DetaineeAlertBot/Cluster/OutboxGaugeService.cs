using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Cluster;

/// <summary>OutboxGaugeService samples the outbox counts by platform and state every few seconds for the
/// detaineebot.outbox.* gauges (a gauge callback must not query the database while /metrics is being read).</summary>
public sealed class OutboxGaugeService(IAlertOutbox outbox, BotMetrics metrics, ILeadership leadership, ILogger<OutboxGaugeService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                metrics.SetLeader(leadership.IsLeader);
                try
                {
                    metrics.SetOutbox(await outbox.CountByPlatformAsync(stoppingToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The gauges keep their last values; /healthz reports the storage problem itself.
                    logger.LogDebug("Sampling the outbox for metrics failed: {Error}", ex.Message);
                }
                await Task.Delay(Interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
