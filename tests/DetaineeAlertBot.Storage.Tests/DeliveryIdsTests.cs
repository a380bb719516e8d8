namespace DetaineeAlertBot.Storage.Tests;

public sealed class DeliveryIdsTests
{
    [Fact]
    public void New_ManyIds_AreDistinctLowercaseBase32OfNonceLength()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => DeliveryIds.New()).ToArray();

        // Discord's message nonce holds at most 25 characters.
        Assert.All(ids, id => Assert.Matches("^[a-z2-7]{24}$", id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        // Every alphabet character shows up in the random part, so no 5-bit group is stuck.
        Assert.Equal(32, ids.SelectMany(id => id[10..]).Distinct().Count());
    }

    [Fact]
    public void New_OneMillisecond_IdsDifferInTheirRandomPartOnly()
    {
        var at = new DateTimeOffset(2026, 12, 4, 21, 0, 0, TimeSpan.Zero);

        var ids = Enumerable.Range(0, 10_000).Select(_ => DeliveryIds.New(at)).ToArray();

        Assert.Single(ids.Select(id => id[..10]).Distinct());
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void New_LaterTimes_SortAfterEarlierOnes()
    {
        // Ordinal order is text order in SQLite (BINARY) and in PostgreSQL's C collation; digits sort before letters in
        // the usual linguistic collations too.
        var start = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var times = new[] { 0L, 1, 31, 32, 1_000, 1_764_882_000_000, 1_764_882_000_001, 4_102_444_800_000 }
            .Select(ms => start.AddMilliseconds(ms)).Append(DateTimeOffset.MaxValue).ToArray();

        var ids = times.Select(DeliveryIds.New).ToArray();

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Length, ids.Select(id => id[..10]).Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[a-z2-7]{24}$", id));
    }

    [Fact]
    public void CardIds_AreRandomThroughout_NotTimeOrdered()
    {
        // A card id is referenced from buttons and made by the tens of thousands in one sync: no part of it is the time.
        var ids = Enumerable.Range(0, 10_000).Select(_ => CardIds.New()).ToArray();

        Assert.All(ids, id => Assert.Matches("^[a-z2-7]{12}$", id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        for (var position = 0; position < CardIds.Length; position++)
            Assert.Equal(32, ids.Select(id => id[position]).Distinct().Count());
    }
}
