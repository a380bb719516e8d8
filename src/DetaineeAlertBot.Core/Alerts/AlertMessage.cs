using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertMessage is one outbox row ready to send: a status change of one case, for one channel.</summary>
/// <param name="DeliveryId">Stable id of this delivery (24 lowercase base32 chars): sinks use it as an idempotency key
/// (Discord nonce, Slack message metadata).</param>
/// <param name="Case">The case as it was when the change was observed.</param>
/// <param name="Attempt">1 for the first try, counting up on each retry.</param>
/// <param name="OldStatusSince">Since when the old status held (e.g. the detention date in a release alert), if known.</param>
/// <param name="IsNewCase">Not a change: a case first seen after its source's baseline that a channel's rule follows
/// ("New case: …"); <see cref="OldStatus"/> is then <see cref="NewStatus"/>.</param>
/// <param name="Flap">Set for a flapping case's "changing repeatedly" notice or its "settled" alert.</param>
public sealed record AlertMessage(
    string DeliveryId,
    string Platform,
    string ChannelId,
    CaseRecord Case,
    CaseStatus OldStatus,
    CaseStatus NewStatus,
    DateTimeOffset ObservedAt,
    int Attempt,
    DateOnly? OldStatusSince = null,
    bool IsNewCase = false,
    AlertFlap? Flap = null);

/// <summary>A flapping case's notice (<see cref="Settled"/> false: "changing repeatedly", its further changes held) or its
/// "settled" alert (see <see cref="Changes.FlapPolicy"/>).</summary>
/// <param name="Statuses">The statuses it moved between, in the order first seen.</param>
/// <param name="Changes">How many changes: inside the window for the notice, since the flapping began for "settled".</param>
/// <param name="Since">When the first of those changes was observed.</param>
public sealed record AlertFlap(bool Settled, IReadOnlyList<CaseStatus> Statuses, int Changes, DateTimeOffset Since);

/// <summary>IAlertSink delivers alerts and admin reports to one platform and says what a failure means.</summary>
public interface IAlertSink
{
    /// <summary>The platform this sink serves: "discord", "slack" or "console".</summary>
    string Platform { get; }

    Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken);

    /// <summary>Posts an admin report (Alerts:AdminChannels) into <paramref name="channelId"/>.</summary>
    Task<DeliveryResult> SendReportAsync(string deliveryId, string channelId, Storage.AdminReport report, CancellationToken cancellationToken);
}

public enum DeliveryOutcome
{
    /// <summary>Delivered.</summary>
    Sent,

    /// <summary>The platform said "later" (429, Retry-After, pacing): not a failure, not an attempt.</summary>
    RateLimited,

    /// <summary>A transient failure (5xx, network, timeout): retried with backoff until Alerts:GiveUpAfter.</summary>
    Failed,

    /// <summary>Nothing can be sent on this platform (token rejected or revoked, scope missing): pause the platform.</summary>
    PlatformDown,

    /// <summary>This channel cannot be posted to (unknown, no access, archived): pause the channel.</summary>
    ChannelDown,

    /// <summary>The platform rejected this message as invalid: it can never succeed, dead letter at once.</summary>
    Rejected,

    /// <summary>Not posted on purpose (the case is muted in this channel, or the channel takes digests): done, like a
    /// delivery, and logged with why. The change itself is in the case's history, and the row says what will tell the
    /// channel of it (<see cref="DeliveryResult.ExternalId"/>: the mute's summary or the next digest).</summary>
    Withheld,
}

/// <summary>DeliveryResult is a sink's verdict on one send.</summary>
/// <param name="ExternalId">The platform's id for the message (Discord message id, Slack "channel/ts").</param>
/// <param name="RetryAfter">How long the platform asked to wait (429), if it said.</param>
/// <param name="MayHaveArrived">The send's outcome is unknown (a timeout, a lost answer): look before sending again.</param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string? ExternalId, string? Error, TimeSpan? RetryAfter, bool MayHaveArrived = false)
{
    public static DeliveryResult Sent(string? externalId = null) => new(DeliveryOutcome.Sent, externalId, null, null);

    public static DeliveryResult RateLimited(string error, TimeSpan? retryAfter) => new(DeliveryOutcome.RateLimited, null, error, retryAfter);

    public static DeliveryResult Failed(string error, bool mayHaveArrived) => new(DeliveryOutcome.Failed, null, error, null, mayHaveArrived);

    public static DeliveryResult PlatformDown(string error) => new(DeliveryOutcome.PlatformDown, null, error, null);

    public static DeliveryResult ChannelDown(string error) => new(DeliveryOutcome.ChannelDown, null, error, null);

    public static DeliveryResult Rejected(string error) => new(DeliveryOutcome.Rejected, null, error, null);

    /// <summary>Held back for a mute's summary: the row is marked <see cref="Storage.IAlertOutbox.WithheldExternalId"/>.</summary>
    public static DeliveryResult Withheld(string why) => new(DeliveryOutcome.Withheld, Storage.IAlertOutbox.WithheldExternalId, why, null);

    /// <summary>Held back for the channel's next digest: the row is marked <see cref="Storage.IAlertOutbox.DigestExternalId"/>.</summary>
    public static DeliveryResult Collected(string why) => new(DeliveryOutcome.Withheld, Storage.IAlertOutbox.DigestExternalId, why, null);
}

/// <summary>IPlatformProbe checks whether a paused platform can send again (Discord GET /users/@me, Slack auth.test).</summary>
public interface IPlatformProbe
{
    string Platform { get; }

    /// <summary>Null when the platform accepts our credentials again, else why not.</summary>
    Task<string?> CheckAsync(CancellationToken cancellationToken);
}
