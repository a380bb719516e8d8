using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Workers;

/// <summary>FlapSettleService ends flapping on time: on the leader, every <see cref="Interval"/>, each flapping case that
/// has gone a whole Alerts:FlapWindow without a change gets its "settled" alerts (<see cref="IFlapSettler"/>), so a
/// settled case is told within the interval after its quiet window, across restarts and failover (the flaps are in the
/// database). It runs with damping off too (Alerts:FlapThreshold 0): cases flapping when it was turned off still settle.</summary>
public sealed class FlapSettleService(IFlapSettler settler, AlertSignal dispatcher, TimeProvider time, ILeadership leadership,
    ILogger<FlapSettleService> logger) : LeaderGatedService(leadership, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    /// <summary>How many settled cases one transaction handles; more wait for the next run.</summary>
    private const int MaxPerRun = 200;

    protected override string Name => "flap settling";

    protected override async Task RunAsLeaderAsync(CancellationToken cancellationToken, CancellationToken lead)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var queued = await settler.SettleFlapsAsync(time.GetUtcNow(), MaxPerRun, cancellationToken);
                if (queued > 0)
                {
                    logger.LogInformation("Queued {Count} \"settled\" alert(s) for cases that stopped changing", queued);
                    dispatcher.Notify();
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Settling flapping cases failed (tried again in {Interval}): {Error}", Interval, ex.Message);
            }
            await Task.Delay(Interval, time, cancellationToken);
        }
    }
}
