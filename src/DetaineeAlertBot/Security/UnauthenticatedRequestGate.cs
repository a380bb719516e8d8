namespace DetaineeAlertBot.Security;

/// <summary>
/// UnauthenticatedRequestGate bounds how many requests may be between "arrived" and "signature checked" at once, on
/// the endpoints anyone can reach (Discord interactions, Slack requests, push ingest). A flood of unsigned or slow
/// requests then costs a fixed amount of memory and threads, and is answered 503 at once, while signed traffic keeps
/// flowing as soon as a slot frees.
/// </summary>
public sealed class UnauthenticatedRequestGate(int limit = UnauthenticatedRequestGate.DefaultLimit)
{
    /// <summary>A chat platform sends a few requests at a time; this leaves ample room for bursts.</summary>
    public const int DefaultLimit = 64;

    private readonly SemaphoreSlim _slots = new(limit, limit);

    /// <summary>A slot to hold while reading and verifying a request, or null when all are taken (answer 503).</summary>
    public Slot? TryEnter() => _slots.Wait(0) ? new Slot(_slots) : null;

    /// <summary>Gives the slot back when disposed (once).</summary>
    public sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
