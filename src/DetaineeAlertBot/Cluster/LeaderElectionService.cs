using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Storage.Cluster;

namespace DetaineeAlertBot.Cluster;

/// <summary>LeaderElectionService runs the PostgreSQL election and reports it: "leadership" in /healthz (unhealthy
/// only while the lead cannot be checked) and the detaineebot.cluster.leader gauge.</summary>
public sealed class LeaderElectionService(PostgresLeaderElection election, HealthRegistry health, BotMetrics metrics, AlertSignal signal, TimeProvider time) : BackgroundService
{
    public const string Component = "leadership";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        election.Changed += metrics.SetLeader;
        // A change stored through another instance wakes this leader's dispatcher at once.
        election.OutboxQueued += signal.Notify;
        metrics.SetLeader(false);
        health.Report(Component, true, $"instance {election.InstanceId}: {election.Detail}");
        var run = election.RunAsync(stoppingToken);
        try
        {
            while (!run.IsCompleted)
            {
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken)).ConfigureAwait(false);
                var detail = election.Detail;
                health.Report(Component, !detail.StartsWith("cannot", StringComparison.Ordinal), $"instance {election.InstanceId}: {detail}");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: RunAsync releases the lead.
        }
        await run.ConfigureAwait(false);
    }
}

/// <summary>LeaderGatedService runs its work only while this instance leads, and stops it the moment the lead is
/// lost; it starts again if the lead comes back. With SQLite (always the leader) it simply runs.</summary>
public abstract class LeaderGatedService(ILeadership leadership, ILogger logger) : BackgroundService
{
    /// <summary>For logs: "source pollers", "alert dispatcher".</summary>
    protected abstract string Name { get; }

    /// <summary>The work. <paramref name="cancellationToken"/> ends on shutdown or lead loss; <paramref name="lead"/>
    /// only on lead loss (for work that must stop at once then, but finish its step on a shutdown).</summary>
    protected abstract Task RunAsLeaderAsync(CancellationToken cancellationToken, CancellationToken lead);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken lead;
            try
            {
                lead = await leadership.WaitForLeadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            using var both = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lead);
            try
            {
                await RunAsLeaderAsync(both.Token, lead).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
                // Stopped by shutdown or lead loss.
            }

            if (stoppingToken.IsCancellationRequested) return;
            if (lead.IsCancellationRequested)
            {
                logger.LogWarning("Stopped the {Name}: this instance is no longer the leader", Name);
            }
            else if (!lead.CanBeCanceled)
            {
                return; // Always the leader and the work ended on its own.
            }
        }
    }
}
