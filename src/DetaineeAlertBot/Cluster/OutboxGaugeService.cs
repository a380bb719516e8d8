using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Cluster;

/// <summary>OutboxGaugeService samples the outbox every few seconds, on every instance: the detaineebot.outbox.* gauges
/// (a gauge callback must not query the database while /metrics is being read) and the "delivery" health component:
/// unhealthy while a platform is paused, degraded while a channel is paused or dead letters exist.</summary>
public sealed class OutboxGaugeService(IAlertOutbox outbox, BotMetrics metrics, ILeadership leadership, HealthRegistry health, TimeProvider time, ILogger<OutboxGaugeService> logger)
    : BackgroundService
{
    public const string DeliveryComponent = "delivery";
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

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
                    var stats = await outbox.GetStatsAsync(stoppingToken);
                    var pauses = await outbox.GetPausesAsync(stoppingToken);
                    ReportDelivery(stats, pauses);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The gauges keep their last values; /healthz reports the storage problem itself.
                    logger.LogDebug("Sampling the outbox failed: {Error}", ex.Message);
                }
                await Task.Delay(Interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void ReportDelivery(OutboxStats stats, IReadOnlyList<DeliveryPause> pauses)
    {
        var platforms = pauses.Where(p => p.ChannelId is null).ToArray();
        var channels = pauses.Where(p => p.ChannelId is not null).ToArray();
        var parts = new List<string>();
        parts.AddRange(platforms.Select(p => $"{p.Platform} paused since {p.Since:u}: {p.Reason}"));
        parts.AddRange(channels.Take(5).Select(p => $"{p.Platform} channel {p.ChannelId} paused since {p.Since:u}: {p.Reason}"));
        if (channels.Length > 5) parts.Add($"and {channels.Length - 5} more paused channels");
        if (stats.Dead > 0) parts.Add($"{stats.Dead} dead letter(s): /alerts dead lists them, /alerts retry resends");
        var state = platforms.Length > 0 ? HealthState.Unhealthy : channels.Length > 0 || stats.Dead > 0 ? HealthState.Degraded : HealthState.Healthy;
        var summary = $"{stats.Pending} pending ({stats.Waiting} waiting), {stats.Sending} sending, {stats.Dead} dead, {stats.Delivered} delivered";
        health.Report(DeliveryComponent, state, parts.Count == 0 ? summary : $"{string.Join("; ", parts)} ({summary})");
    }
}
