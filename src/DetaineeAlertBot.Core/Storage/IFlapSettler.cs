namespace DetaineeAlertBot.Core.Storage;

/// <summary>IFlapSettler ends flapping (<see cref="Changes.FlapPolicy"/>): each case that has been flapping and then went a
/// whole window without a change gets its one "settled" alert per channel that heard its notice.</summary>
public interface IFlapSettler
{
    /// <summary>Queues the "settled" alerts of up to <paramref name="max"/> cases quiet since <paramref name="now"/> minus the
    /// window, and ends their flapping, in one transaction; returns how many alert rows were queued.</summary>
    Task<int> SettleFlapsAsync(DateTimeOffset now, int max, CancellationToken cancellationToken);
}
