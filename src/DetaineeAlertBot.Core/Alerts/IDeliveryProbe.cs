namespace DetaineeAlertBot.Core.Alerts;

/// <summary>IDeliveryProbe answers "did an earlier attempt of this delivery reach the platform?" for a platform
/// that cannot de-duplicate a resend itself (Slack has no idempotency key; Discord has its nonce and needs none).
/// The dispatcher asks before resending a row that was claimed before.</summary>
public interface IDeliveryProbe
{
    string Platform { get; }

    /// <summary>The platform's id of the message carrying <see cref="AlertMessage.DeliveryId"/>, or null when there is none.</summary>
    Task<string?> FindAsync(AlertMessage alert, CancellationToken cancellationToken);
}
