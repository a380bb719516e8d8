using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Alerts;

/// <summary>Rows a sync's store claimed for the dispatcher and handed over in memory. The in-memory outbox's claim
/// plays the store transaction's claim (same rules: term, order, pauses).</summary>
public sealed class DeliveryHandoffTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryAlertOutbox _outbox;
    private readonly DeliveryHandoff _handoff;
    private readonly Mock<IAlertSink> _sink = new();

    public DeliveryHandoffTests()
    {
        _outbox = new InMemoryAlertOutbox(_time);
        _handoff = new DeliveryHandoff(_time);
        _sink.SetupGet(s => s.Platform).Returns("slack");
        _sink.Setup(s => s.SendAsync(It.IsAny<AlertMessage>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((AlertMessage m, CancellationToken _) => DeliveryResult.Sent($"m-{m.DeliveryId}"));
    }

    private AlertDispatcher Dispatcher() =>
        new(_outbox, [_sink.Object], new DeliveryPolicy { Time = _time }, new AdminReporter(_outbox, [], NullLogger<AdminReporter>.Instance),
            new BotMetrics(), NullLogger<AlertDispatcher>.Instance, lease: Lease, handoff: _handoff);

    private static OutboxItem Item(string id, string channel = "c1") =>
        new(id, "slack", channel, new AlertMessage(id, "slack", channel, Case(id), CaseStatus.Detained, CaseStatus.Released, Now, 1), null, 0, false, null, null, Now);

    /// <summary>What the store stage does: queue rows, claim them under the offered claim, hand them over.</summary>
    private async Task<(ClaimRequest Claim, ClaimedBatch Batch)> StoreClaimsAsync(params OutboxItem[] items)
    {
        _outbox.Add(items);
        var claim = _handoff.Offer ?? throw new InvalidOperationException("no offer");
        var batch = await _outbox.ClaimAsync(claim, CancellationToken.None);
        Assert.Equal(items.Length, batch.Items.Count);
        return (claim, batch);
    }

    private int Sends(string deliveryId) =>
        _sink.Invocations.Count(i => i.Method.Name == nameof(IAlertSink.SendAsync) && i.Arguments[0] is AlertMessage m && m.DeliveryId == deliveryId);

    [Fact]
    public async Task Offer_OnlyWhileADispatcherHoldsATerm_AndANewTermReplacesIt()
    {
        var dispatcher = Dispatcher();
        Assert.Null(_handoff.Offer);

        var first = await dispatcher.BeginTermAsync(CancellationToken.None);
        var offer = _handoff.Offer!;
        Assert.Equal((first, dispatcher.Owner, Lease), (offer.Term, offer.Owner, offer.Lease));
        Assert.Equal(["slack"], offer.Platforms);

        await dispatcher.BeginTermAsync(CancellationToken.None);
        Assert.Equal(first + 1, _handoff.Offer!.Term);
        Assert.False(_handoff.Hand(offer, new ClaimedBatch(Now, [Item("a")])), "a batch claimed under the old offer is refused");

        await dispatcher.StopTakingHandoffsAsync(CancellationToken.None);
        Assert.Null(_handoff.Offer);
    }

    [Fact]
    public async Task Dispatch_AHandedBatch_IsSentOnceAndMarkedWithoutAnotherClaim()
    {
        var dispatcher = Dispatcher();
        await dispatcher.BeginTermAsync(CancellationToken.None);
        var (claim, batch) = await StoreClaimsAsync(Item("a"), Item("b", "c2"));
        Assert.True(_handoff.Hand(claim, batch));

        Assert.Equal(2, await dispatcher.DispatchDueAsync(CancellationToken.None));

        // The rows were claimed by the "store" only: the dispatcher's own claim could not have returned them.
        Assert.Equal((OutboxState.Sent, "m-a", OutboxState.Sent), (_outbox["a"].State, _outbox["a"].ExternalId, _outbox["b"].State));
        Assert.Equal((1, 1, 0), (Sends("a"), Sends("b"), _handoff.Waiting));
        Assert.Equal(0, await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal((1, 1), (Sends("a"), Sends("b")));
    }

    [Fact]
    public async Task Dispatch_AHandedBatchOlderThanHalfItsLease_IsReleasedUnsent_ThenClaimedAndSentOnce()
    {
        var dispatcher = Dispatcher();
        await dispatcher.BeginTermAsync(CancellationToken.None);
        var (claim, batch) = await StoreClaimsAsync(Item("a"));
        Assert.True(_handoff.Hand(claim, batch));
        _time.Advance(Lease / 2 + TimeSpan.FromMilliseconds(1));

        // Released, then claimed again by the dispatcher's own claim in the same round, and sent once.
        Assert.Equal(2, await dispatcher.DispatchDueAsync(CancellationToken.None));

        var wait = Assert.Single(_outbox["a"].Waits);
        Assert.True(!wait.CountsAsAttempt && !wait.Failing && wait.Delay == TimeSpan.Zero, $"{wait}");
        Assert.Equal((OutboxState.Sent, 1, 0), (_outbox["a"].State, Sends("a"), _outbox["a"].Item.Attempts));
    }

    [Fact]
    public async Task Dispatch_ABatchOfAnEarlierTerm_IsLeftToTheCurrentTermsClaim()
    {
        var dispatcher = Dispatcher();
        await dispatcher.BeginTermAsync(CancellationToken.None);
        var (claim, batch) = await StoreClaimsAsync(Item("a"));
        Assert.True(_handoff.Hand(claim, batch));
        await dispatcher.BeginTermAsync(CancellationToken.None); // e.g. lost and regained the lead

        await dispatcher.DispatchDueAsync(CancellationToken.None);

        // Sent once, by the new term's claim (which takes over rows of older terms), not by the stale batch.
        Assert.Equal((OutboxState.Sent, dispatcher.Term, 1), (_outbox["a"].State, _outbox["a"].Term, Sends("a")));
    }

    [Fact]
    public async Task StopTakingHandoffs_GracefulStop_SendsWhatWasHanded_LostLead_LeavesItClaimed()
    {
        var dispatcher = Dispatcher();
        var term = await dispatcher.BeginTermAsync(CancellationToken.None);
        var (claim, batch) = await StoreClaimsAsync(Item("a"));
        Assert.True(_handoff.Hand(claim, batch));

        await dispatcher.StopTakingHandoffsAsync(CancellationToken.None);

        Assert.Equal((OutboxState.Sent, 1), (_outbox["a"].State, Sends("a")));
        Assert.False(_handoff.Hand(claim, batch), "closed: nothing more is taken");

        await dispatcher.BeginTermAsync(CancellationToken.None);
        var (next, nextBatch) = await StoreClaimsAsync(Item("b"));
        Assert.True(_handoff.Hand(next, nextBatch));
        using var lostLead = new CancellationTokenSource();
        await lostLead.CancelAsync();

        await dispatcher.StopTakingHandoffsAsync(lostLead.Token);

        Assert.Equal((OutboxState.Sending, 0), (_outbox["b"].State, Sends("b")));
        Assert.NotEqual(term, _outbox["b"].Term);
    }
}
