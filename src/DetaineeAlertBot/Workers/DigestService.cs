using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Digests;

namespace DetaineeAlertBot.Workers;

/// <summary>DigestService queues digests on time: on the leader, at each channel's next occurrence (looking at least every
/// <see cref="Interval"/>, and at once when a schedule changes). A digest due while no instance led (the bot was down,
/// or between leaders) is queued as soon as one leads again.</summary>
public sealed class DigestService(DigestRunner digests, ILeadership leadership, TimeProvider time, ILogger<DigestService> logger)
    : LeaderGatedService(leadership, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override string Name => "digests";

    protected override async Task RunAsLeaderAsync(CancellationToken cancellationToken, CancellationToken lead)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = Interval;
            try
            {
                var (_, next) = await digests.RunOnceAsync(cancellationToken);
                if (next is { } at && at - time.GetUtcNow() is var untilNext && untilNext < wait) wait = untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Queueing digests failed (tried again in {Interval}): {Error}", Interval, ex.Message);
            }
            await digests.WaitForWorkAsync(wait, cancellationToken);
        }
    }
}
