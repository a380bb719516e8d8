using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cluster;

namespace DetaineeAlertBot.Workers;

/// <summary>MuteSummaryService ends mutes on time: on the leader, every <see cref="Interval"/> (and at once after an
/// unmute), each mute that has ended gets its one summary of what was withheld (<see cref="MuteSummaries"/>). A mute's end
/// is thus honoured within the interval, across restarts and failover (the mutes are in the database).</summary>
public sealed class MuteSummaryService(MuteSummaries summaries, ILeadership leadership, ILogger<MuteSummaryService> logger)
    : LeaderGatedService(leadership, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override string Name => "mute summaries";

    protected override async Task RunAsLeaderAsync(CancellationToken cancellationToken, CancellationToken lead)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await summaries.RunOnceAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Summarizing ended mutes failed (tried again in {Interval}): {Error}", Interval, ex.Message);
            }
            await summaries.WaitForWorkAsync(Interval, cancellationToken);
        }
    }
}
