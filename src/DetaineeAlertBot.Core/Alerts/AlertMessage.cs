using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertMessage is one outbox row ready to send: a status change of one case, for one channel.</summary>
/// <param name="DeliveryId">Stable id of this delivery (24 lowercase base32 chars): sinks use it as an idempotency key
/// (Discord nonce, Slack message metadata).</param>
/// <param name="Case">The case as it was when the change was observed.</param>
/// <param name="Attempt">1 for the first try, counting up on each retry.</param>
/// <param name="OldStatusSince">Since when the old status held (e.g. the detention date in a release alert), if known.</param>
public sealed record AlertMessage(
    string DeliveryId,
    string Platform,
    string ChannelId,
    CaseRecord Case,
    CaseStatus OldStatus,
    CaseStatus NewStatus,
    DateTimeOffset ObservedAt,
    int Attempt,
    DateOnly? OldStatusSince = null);

/// <summary>IAlertSink delivers alerts to one platform and says whether a failure is worth retrying.</summary>
public interface IAlertSink
{
    /// <summary>The platform this sink serves: "discord", "slack" or "console".</summary>
    string Platform { get; }

    Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken);
}

public enum DeliveryOutcome
{
    Sent,
    Retry,
    Rejected,
}

/// <summary>DeliveryResult is a sink's verdict: sent, retry later (transient), or rejected (will never succeed).</summary>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string? ExternalId, string? Error, TimeSpan? RetryAfter)
{
    /// <param name="externalId">The platform's id for the message (Discord message id, Slack "channel/ts").</param>
    public static DeliveryResult Sent(string? externalId = null) => new(DeliveryOutcome.Sent, externalId, null, null);

    /// <param name="retryAfter">When the platform said how long to wait (429), else null for our own backoff.</param>
    public static DeliveryResult Retry(string error, TimeSpan? retryAfter = null) => new(DeliveryOutcome.Retry, null, error, retryAfter);

    public static DeliveryResult Rejected(string error) => new(DeliveryOutcome.Rejected, null, error, null);
}
