using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Diagnostics;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>IAlertOutbox is the durable queue of alerts and admin reports: alert rows are created by
/// <see cref="ICaseStore.ApplyAsync"/>, report rows by <see cref="EnqueueReportAsync"/>. A dispatcher takes a delivery
/// term (<see cref="BeginTermAsync"/>), claims a few due rows under it, and marks each sent, waiting or dead. Every
/// time comparison uses the database's clock, so instances with skewed clocks agree on leases and due times.</summary>
public interface IAlertOutbox
{
    /// <summary>Starts a new delivery term and returns its number (the fencing token). From now on claims under an older
    /// term are refused and rows an older term had claimed are claimable at once; once such a row is claimed again, the
    /// older term's marks on it are refused (before that, a late but true mark of the older term still counts).</summary>
    Task<long> BeginTermAsync(CancellationToken cancellationToken);

    /// <summary>Claims up to <see cref="ClaimRequest.Max"/> due rows, oldest first. A row is due when it is pending
    /// and its next attempt has come, or it was claimed under an older term (its sender died or lost the lead), or its
    /// lease ran out. A row is not claimed while an older row of the same channel and case is still pending or sending
    /// (order per channel and case), nor while its platform or channel is paused (a paused channel's rows are claimable
    /// again when its next check is due). Returns nothing when <see cref="ClaimRequest.Term"/> is not current.</summary>
    Task<ClaimedBatch> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken);

    /// <summary>Marks a row claimed under <paramref name="term"/> sent; false when the claim is no longer ours.</summary>
    Task<bool> MarkSentAsync(string deliveryId, long term, string? externalId, CancellationToken cancellationToken);

    /// <summary>Returns a claimed row to pending; false when the claim is no longer ours.</summary>
    Task<bool> MarkWaitingAsync(string deliveryId, long term, WaitMark mark, CancellationToken cancellationToken);

    /// <summary>Dead-letters a claimed row with its last error; false when the claim is no longer ours.</summary>
    Task<bool> MarkDeadAsync(string deliveryId, long term, string error, CancellationToken cancellationToken);

    /// <summary>Pauses a platform (<paramref name="channelId"/> null) or one channel, first checked again after
    /// <paramref name="checkAfter"/>. True when it was not paused before (a new incident).</summary>
    Task<bool> PauseAsync(string platform, string? channelId, string reason, TimeSpan checkAfter, CancellationToken cancellationToken);

    /// <summary>Moves a pause's next check <paramref name="checkAfter"/> from now and records the latest reason.</summary>
    Task DeferPauseAsync(string platform, string? channelId, string reason, TimeSpan checkAfter, CancellationToken cancellationToken);

    /// <summary>Ends a pause; true when there was one.</summary>
    Task<bool> ResumeAsync(string platform, string? channelId, CancellationToken cancellationToken);

    Task<IReadOnlyList<DeliveryPause>> GetPausesAsync(CancellationToken cancellationToken);

    /// <summary>Queues <paramref name="report"/> for each target channel, unless the same incident was reported less than
    /// <paramref name="minInterval"/> ago. True when queued.</summary>
    Task<bool> EnqueueReportAsync(string incident, AdminReport report, IReadOnlyList<ReportTarget> targets, TimeSpan minInterval, CancellationToken cancellationToken);

    /// <summary>Counts for /healthz and /alerts status, from indexed queries and maintained counters only (no scan of the
    /// delivered rows).</summary>
    Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken);

    /// <summary>Pending and sending rows per platform and channel (at most <paramref name="max"/> channels, the busiest first).</summary>
    Task<IReadOnlyList<ChannelBacklog>> GetBacklogAsync(int max, CancellationToken cancellationToken);

    /// <summary>The newest dead letters first, at most <paramref name="max"/>.</summary>
    Task<IReadOnlyList<DeadLetter>> ListDeadAsync(int max, CancellationToken cancellationToken);

    /// <summary>Queues dead letters again as new (attempts and give-up clock reset): one by delivery id, or all when
    /// <paramref name="deliveryId"/> is null. Returns how many.</summary>
    Task<int> RetryDeadAsync(string? deliveryId, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="batchSize"/> delivered rows sent more than <paramref name="olderThan"/> ago;
    /// returns how many (0 when none are left).</summary>
    Task<int> PruneDeliveredAsync(TimeSpan olderThan, int batchSize, CancellationToken cancellationToken);

    /// <summary>Row counts by platform and state for the metrics gauges ("sent" from the maintained counters).</summary>
    Task<IReadOnlyList<OutboxPlatformCount>> CountByPlatformAsync(CancellationToken cancellationToken);

    /// <summary>The alerts withheld from a channel (a muted case, <see cref="WithheldExternalId"/>) created in [from, to],
    /// newest first, at most <paramref name="max"/>; only those of <paramref name="caseKey"/> unless it is null.</summary>
    Task<IReadOnlyList<AlertMessage>> ListWithheldAsync(string platform, string channelId, Cases.CaseKey? caseKey, DateTimeOffset from, DateTimeOffset to, int max,
        CancellationToken cancellationToken);

    /// <summary>The external id a withheld alert's row is marked sent with: it was not posted, on purpose (a mute).</summary>
    public const string WithheldExternalId = "withheld";

    /// <summary>The external id of a row collected for the channel's next digest (<see cref="IDigestStore"/>).</summary>
    public const string DigestExternalId = "digest";

    /// <summary>Whether a sent row's external id names a posted message (not a withheld or collected row).</summary>
    public static bool IsMessageId(string? externalId) => externalId is { Length: > 0 } and not (WithheldExternalId or DigestExternalId);

    /// <summary>One row by delivery id, for tests and diagnostics; null when unknown.</summary>
    Task<OutboxRow?> FindAsync(string deliveryId, CancellationToken cancellationToken);
}

/// <param name="Platforms">Only rows of these platforms (the ones that can send now).</param>
/// <param name="Lease">How long the claim protects the rows within the same term.</param>
public sealed record ClaimRequest(long Term, string Owner, TimeSpan Lease, int Max, IReadOnlyCollection<string> Platforms);

/// <param name="Now">The database's clock when the rows were claimed.</param>
public sealed record ClaimedBatch(DateTimeOffset Now, IReadOnlyList<OutboxItem> Items)
{
    public static readonly ClaimedBatch Empty = new(DateTimeOffset.MinValue, []);
}

/// <summary>One claimed row: an alert or an admin report, with what the dispatcher needs to decide about it.</summary>
/// <param name="Attempts">Failed sends so far (waits do not count).</param>
/// <param name="InDoubt">An earlier send may have reached the platform (its outcome is unknown): look before resending.</param>
/// <param name="FirstTryAt">When the first send was started (Discord's nonce only de-duplicates for a few minutes).</param>
/// <param name="FailingSince">When it first failed; Alerts:GiveUpAfter counts from here.</param>
/// <param name="TraceParent">The W3C traceparent of the sync that created the row (null for reports, untraced syncs and
/// rows older than the column): the delivery's activity continues that trace.</param>
public sealed record OutboxItem(
    string DeliveryId,
    string Platform,
    string ChannelId,
    AlertMessage? Alert,
    AdminReport? Report,
    int Attempts,
    bool InDoubt,
    DateTimeOffset? FirstTryAt,
    DateTimeOffset? FailingSince,
    DateTimeOffset CreatedAt,
    string? TraceParent = null);

/// <summary>How a claimed row goes back to pending.</summary>
/// <param name="Delay">Until the next attempt.</param>
/// <param name="CountsAsAttempt">False for waits (rate limits, pauses): only real failures count.</param>
/// <param name="InDoubt">Whether this send may have reached the platform (a timeout, a 5xx, a lost answer).</param>
/// <param name="Failing">Starts the give-up clock if it is not running (false for waits that are not failures).</param>
public sealed record WaitMark(string Reason, TimeSpan Delay, bool CountsAsAttempt, bool InDoubt, bool Failing);

/// <summary>A message for the admin channels (Alerts:AdminChannels): a title and plain lines.</summary>
public sealed record AdminReport(string Title, IReadOnlyList<string> Lines)
{
    public string ToPlainText() => string.Join('\n', [Title, .. Lines]);
}

/// <summary>Where a report goes: a platform and channel ("console" for the console).</summary>
public sealed record ReportTarget(string Platform, string ChannelId);

/// <summary>A paused platform (ChannelId null) or channel.</summary>
public sealed record DeliveryPause(string Platform, string? ChannelId, string Reason, DateTimeOffset Since, DateTimeOffset NextCheckAt, int Checks);

/// <param name="Waiting">Pending rows not due yet (backoff, rate limit) or in a paused platform or channel.</param>
/// <param name="Delivered">Delivered in total (a maintained counter; pruning does not lower it).</param>
public sealed record OutboxStats(long Pending, long Sending, long Waiting, long Dead, long Delivered, DateTimeOffset? OldestPendingAt);

public sealed record ChannelBacklog(string Platform, string ChannelId, long Open, DateTimeOffset OldestCreatedAt, string? LastError);

public sealed record DeadLetter(string DeliveryId, string Platform, string ChannelId, string CaseSource, string CaseId, string? Title, string? LastError, DateTimeOffset? DeadAt, DateTimeOffset CreatedAt);

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
