using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Health;

namespace DetaineeAlertBot.Workers;

/// <summary>AlertDispatchService drives the dispatcher: a batch as soon as a sync queues alerts, otherwise every
/// second (retries come due on their own). On shutdown it stops claiming and lets sends in flight finish.</summary>
public sealed class AlertDispatchService(AlertDispatcher dispatcher, AlertSignal signal, HealthRegistry health, ILogger<AlertDispatchService> logger) : BackgroundService
{
    public const string Component = "dispatcher";
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await dispatcher.DispatchDueAsync(stoppingToken);
                if (failures > 0) health.Report(Component, true, "delivering again");
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
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 10))));
                health.Report(Component, false, $"cannot read the outbox: {ex.Message}");
                logger.LogError("Alert dispatch failed ({Failures} in a row), retrying in {Delay:0.#} s: {Error}", failures, delay.TotalSeconds, ex.Message);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
