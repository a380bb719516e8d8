using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Diagnostics;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>IAlertOutbox is the durable queue of alerts: rows are created by <see cref="ICaseStore.ApplyAsync"/>,
/// claimed with a lease before sending, and marked sent, retried or dead-lettered after.</summary>
public interface IAlertOutbox
{
    /// <summary>Claims up to <paramref name="max"/> rows that are due: pending with next attempt at or before now, or
    /// sending with an expired lease. Claiming sets state sending, the lease, and increments the attempt count;
    /// the returned messages carry that count. Oldest first.</summary>
    Task<IReadOnlyList<AlertMessage>> ClaimDueAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Marks a claimed row sent; a sent row is never claimed again.</summary>
    Task MarkSentAsync(string deliveryId, string? externalId, DateTimeOffset sentAt, CancellationToken cancellationToken);

    /// <summary>Returns a claimed row to pending, due again at <paramref name="nextAttemptAt"/>.</summary>
    Task MarkRetryAsync(string deliveryId, string error, DateTimeOffset nextAttemptAt, CancellationToken cancellationToken);

    /// <summary>Dead-letters a row with its last error; it is never claimed again.</summary>
    Task MarkDeadAsync(string deliveryId, string error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Returns every row in state sending to pending. Only for single-instance storage at start, where no
    /// other process can hold a lease (a crash left them mid-send).</summary>
    Task<int> ReleaseAllLeasesAsync(CancellationToken cancellationToken);

    Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>Row counts by platform and state ("pending", "sending", "sent", "dead"), for the metrics gauges.</summary>
    Task<IReadOnlyList<OutboxPlatformCount>> CountByPlatformAsync(CancellationToken cancellationToken);

    /// <summary>One row by delivery id, for tests and diagnostics; null when unknown.</summary>
    Task<OutboxRow?> FindAsync(string deliveryId, CancellationToken cancellationToken);
}

public sealed record OutboxStats(int Pending, int Sending, int Sent, int Dead);

public enum OutboxState
{
    Pending,
    Sending,
    Sent,
    Dead,
}

public sealed record OutboxRow(
    string DeliveryId,
    string Platform,
    string ChannelId,
    string CaseSource,
    string CaseId,
    OutboxState State,
    int Attempts,
    string? LastError,
    string? ExternalId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt);
