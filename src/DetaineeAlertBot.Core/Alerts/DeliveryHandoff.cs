using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>DeliveryHandoff saves each new alert a round trip through the database. While this instance's dispatcher
/// leads, it offers its claim (term, owner, lease); the sync's store transaction claims the rows it has just queued
/// with it, so they commit already claimed (one flush instead of two), and the sync hands them to the dispatcher in
/// memory. Without an offer (another instance leads, or none yet) the rows commit pending and the leader claims them.
/// <para>Nothing here can lose a row: a handed batch the dispatcher never takes stays claimed under its term, and the
/// next term (the next lead or start) takes it over at once, checking the channel before it sends again.</para></summary>
public sealed class DeliveryHandoff(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Queue<HandedBatch> _batches = new();
    private ClaimRequest? _offer;

    /// <summary>The claim a sync may make for the dispatcher now; null when no dispatcher of this instance takes batches.</summary>
    public ClaimRequest? Offer
    {
        get
        {
            lock (_lock) return _offer;
        }
    }

    /// <summary>Batches waiting to be sent.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _batches.Count;
        }
    }

    /// <summary>The dispatcher takes handed batches under this claim from now on (a new term replaces the old offer).</summary>
    public void Open(ClaimRequest claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        lock (_lock) _offer = claim;
    }

    /// <summary>Stops offering; returns the batches handed but not taken, for a dispatcher that stops gracefully to send.</summary>
    public IReadOnlyList<HandedBatch> Close()
    {
        lock (_lock)
        {
            _offer = null;
            var left = _batches.ToArray();
            _batches.Clear();
            return left;
        }
    }

    /// <summary>Hands over rows the store claimed with <paramref name="claim"/>. False (nothing queued) when the offer has
    /// ended or changed since: those rows wait for the next term, which takes them over at once.</summary>
    public bool Hand(ClaimRequest claim, ClaimedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Items.Count == 0) return false;
        lock (_lock)
        {
            if (!ReferenceEquals(_offer, claim)) return false;
            _batches.Enqueue(new HandedBatch(claim.Term, batch, _time.GetUtcNow()));
            return true;
        }
    }

    public bool TryTake(out HandedBatch batch)
    {
        lock (_lock) return _batches.TryDequeue(out batch!);
    }
}

/// <param name="HandedAt">This process's clock when the rows were handed over, right after their claim committed: the
/// lease started about then.</param>
public sealed record HandedBatch(long Term, ClaimedBatch Batch, DateTimeOffset HandedAt);
