namespace DetaineeAlertBot.Core.Alerts;

/// <summary>IDeliveryProbe answers "did an earlier attempt of this delivery reach the platform?" before a row whose
/// last send had an unknown outcome is sent again. Slack has no idempotency key, so its probe reads the channel's
/// history; Discord's nonce covers a few minutes only, so its probe searches the channel after that.</summary>
public interface IDeliveryProbe
{
    string Platform { get; }

    /// <summary>The platform's id of the message carrying <see cref="AlertMessage.DeliveryId"/>, or null when there is
    /// none or when the platform de-duplicates the resend itself (<paramref name="firstTryAt"/> is recent enough).</summary>
    Task<string?> FindAsync(AlertMessage alert, DateTimeOffset firstTryAt, DateTimeOffset now, CancellationToken cancellationToken);
}
