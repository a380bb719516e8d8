using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Digests;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>IDigestStore keeps each channel's digest schedule and queues its digests. The changes a digest channel
/// collects are its outbox rows, marked <see cref="IAlertOutbox.DigestExternalId"/> by the delivery that held them back;
/// queuing a digest takes them, writes the digest as one outbox report row and records the period in one transaction,
/// so a digest is never lost, never doubled (a restart, a second instance), and never leaves a change out.</summary>
public interface IDigestStore
{
    /// <summary>The channel's schedule as stored, with who set it and when; null when never set (then it is off).</summary>
    Task<ChannelDigest?> GetAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>Sets the channel's schedule (null: off). A new schedule counts from <paramref name="at"/>: its first digest
    /// is the next occurrence after then.</summary>
    Task SetAsync(string platform, string channelId, DigestSchedule? schedule, string setBy, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Sets the schedule of channels that have none stored yet (Watchlists:N:Digest seeds; an admin's choice stays).
    /// Returns how many were set.</summary>
    Task<int> SeedAsync(IReadOnlyList<(string Platform, string ChannelId, DigestSchedule? Schedule)> seeds, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every channel with a schedule, and every channel (schedule or not) holding collected changes that no digest
    /// has taken yet, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<ChannelDigest>> ListActiveAsync(int max, CancellationToken cancellationToken);

    /// <summary>Whether a delivery to this channel is collected for its digest instead of posted (a schedule is set).</summary>
    Task<bool> IsCollectingAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>Queues the channel's digest for the period ending <paramref name="dueAt"/>, in one transaction: records the
    /// period (so it is queued once, whoever tries again), takes the collected changes no digest has taken, and writes
    /// <paramref name="render"/>'s report as one outbox row to the channel. Nothing is written for a period already recorded
    /// (<see cref="DigestQueueOutcome.AlreadyDone"/>), and no row when render returns null (nothing to tell).</summary>
    /// <param name="render">Makes the digest from the collected changes (oldest first) and when the period began (the last
    /// digest's due time, else when the schedule was set); null for an empty digest.</param>
    Task<DigestQueueResult> QueueAsync(string platform, string channelId, DateTimeOffset dueAt,
        Func<IReadOnlyList<AlertMessage>, DateTimeOffset, AdminReport?> render, CancellationToken cancellationToken);

    /// <summary>The collected changes of a channel that no digest has taken yet, oldest first (for tests and the bench).</summary>
    Task<IReadOnlyList<AlertMessage>> ListCollectedAsync(string platform, string channelId, int max, CancellationToken cancellationToken);
}

/// <summary>A channel's digest setting.</summary>
/// <param name="Schedule">Null when off.</param>
/// <param name="SetBy">Who set it ("config" for Watchlists:N:Digest).</param>
/// <param name="LastDueAt">The end of the last period a digest was queued for (or found empty); null before the first.</param>
/// <param name="Collected">Changes collected and not taken by a digest yet.</param>
public sealed record ChannelDigest(string Platform, string ChannelId, DigestSchedule? Schedule, string SetBy, DateTimeOffset SetAt, DateTimeOffset? LastDueAt,
    long Collected = 0)
{
    /// <summary>Occurrences after this are due: the last digest's due time, or when the schedule was set if later (a
    /// schedule set at 09:30 first fires at its next occurrence after 09:30).</summary>
    public DateTimeOffset DueFrom => LastDueAt is { } last && last > SetAt ? last : SetAt;
}

public enum DigestQueueOutcome
{
    /// <summary>The digest row was written.</summary>
    Queued,

    /// <summary>The period was recorded; there was nothing to tell, so nothing is posted.</summary>
    Empty,

    /// <summary>This period (or a later one) was already recorded: nothing was written.</summary>
    AlreadyDone,
}

/// <param name="Changes">How many collected changes the digest took.</param>
public sealed record DigestQueueResult(DigestQueueOutcome Outcome, int Changes, string? DeliveryId);
