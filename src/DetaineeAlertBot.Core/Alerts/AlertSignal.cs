namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertSignal wakes the dispatcher as soon as a sync queues alerts, instead of waiting for its next poll. The
/// poll's timeout runs on <paramref name="time"/>, so a test on fake time decides when an idle dispatcher looks again.</summary>
public sealed class AlertSignal(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

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
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_signal.Wait(0, CancellationToken.None)) return true;
        if (timeout <= TimeSpan.Zero) return false;
        using var timer = new CancellationTokenSource(timeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _signal.WaitAsync(either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
