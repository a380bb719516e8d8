namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertSignal wakes the dispatcher as soon as a sync queues alerts, instead of waiting for its next poll.</summary>
public sealed class AlertSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers any number of new rows.
        }
    }

    /// <summary>Waits for a notification or the timeout; true when notified.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
