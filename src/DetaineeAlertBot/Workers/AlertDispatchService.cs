using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Resilience;

namespace DetaineeAlertBot.Workers;

/// <summary>AlertDispatchService drives the dispatcher while this instance leads: a batch as soon as a sync queues
/// alerts, otherwise every second (retries come due on their own, and so do other instances' rows). On shutdown it
/// stops claiming and lets sends in flight finish; on losing the lead it stops sending at once.</summary>
public sealed class AlertDispatchService(
    AlertDispatcher dispatcher, AlertSignal signal, HealthRegistry health, ILeadership leadership, TimeProvider time, ILogger<AlertDispatchService> logger)
    : LeaderGatedService(leadership, logger)
{
    public const string Component = "dispatcher";
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly Backoff StoreFailureBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    protected override string Name => "alert dispatcher";

    /// <summary>Outlives one lead: a failure reported just before the lead was lost is cleared by the next lead's first success.</summary>
    private bool _reportedUnhealthy;

    protected override async Task RunAsLeaderAsync(CancellationToken stoppingToken, CancellationToken lead)
    {
        try
        {
            await DispatchWhileLeadingAsync(stoppingToken, lead);
        }
        finally
        {
            // Graceful stop: the batches syncs handed over are sent like sends in flight. Lost lead: left to the next term.
            try
            {
                await dispatcher.StopTakingHandoffsAsync(lead);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rows stay claimed under this term; the next term takes them over at once.
                logger.LogError("Could not send the alerts handed over by syncs before stopping ({Error}); the next start sends them", ex.Message);
            }
        }
    }

    private async Task DispatchWhileLeadingAsync(CancellationToken stoppingToken, CancellationToken lead)
    {
        var failures = 0;
        var termTaken = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A new term on every lead: whatever an earlier leader had claimed is ours at once, and its late marks are refused.
                if (!termTaken) await dispatcher.BeginTermAsync(stoppingToken);
                termTaken = true;
                var handled = await dispatcher.DispatchDueAsync(stoppingToken, lead);
                if (_reportedUnhealthy) health.Report(Component, true, "delivering again");
                _reportedUnhealthy = false;
                failures = 0;
                if (handled == 0) await signal.WaitAsync(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failures++;
                var delay = StoreFailureBackoff.Delay(failures);
                health.Report(Component, false, $"cannot read the outbox: {ex.Message}");
                _reportedUnhealthy = true;
                logger.LogError("Alert dispatch failed ({Failures} in a row), retrying in {Delay:0.#} s: {Error}", failures, delay.TotalSeconds, ex.Message);
                try
                {
                    await Task.Delay(delay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
