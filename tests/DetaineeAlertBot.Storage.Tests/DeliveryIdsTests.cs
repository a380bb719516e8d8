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
        // Every alphabet character shows up, so no 5-bit group is stuck.
        Assert.Equal(32, ids.SelectMany(id => id).Distinct().Count());
    }
}
