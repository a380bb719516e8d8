namespace DetaineeAlertBot.Slack.SocketMode;

/// <summary>Remembers the last <c>capacity</c> envelope ids so a redelivered envelope is acked but not handled twice.</summary>
internal sealed class EnvelopeDeduplicator(int capacity)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    /// <summary>True the first time an id is seen.</summary>
    public bool TryAdd(string envelopeId)
    {
        lock (_lock)
        {
            if (!_seen.Add(envelopeId))
            {
                return false;
            }

            _order.Enqueue(envelopeId);
            while (_order.Count > capacity)
            {
                _seen.Remove(_order.Dequeue());
            }

            return true;
        }
    }
}
