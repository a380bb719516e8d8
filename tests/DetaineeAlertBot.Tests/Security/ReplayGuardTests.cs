using DetaineeAlertBot.Security;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Security;

public class ReplayGuardTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void TryRecord_SameKeyWithinItsWindow_IsReplayed()
    {
        var guard = new ReplayGuard(_time);

        Assert.Equal(ReplayVerdict.First, guard.TryRecord("interaction-1", _time.GetUtcNow().AddMinutes(5)));
        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(ReplayVerdict.Replayed, guard.TryRecord("interaction-1", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(ReplayVerdict.First, guard.TryRecord("interaction-2", _time.GetUtcNow().AddMinutes(5)));
    }

    [Fact]
    public void TryRecord_AfterTheWindow_IsForgottenAndMemoryShrinks()
    {
        var guard = new ReplayGuard(_time);
        for (var i = 0; i < 50; i++) guard.TryRecord($"k{i}", _time.GetUtcNow().AddMinutes(5));
        Assert.Equal(50, guard.Count);

        _time.Advance(TimeSpan.FromMinutes(5));

        // Past its window the signature check refuses the request anyway, so the key may go.
        Assert.Equal(ReplayVerdict.First, guard.TryRecord("k0", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(1, guard.Count);
    }

    [Fact]
    public void TryRecord_FullOfLiveEntries_RefusesInsteadOfForgetting()
    {
        var guard = new ReplayGuard(_time, capacity: 3);
        foreach (var key in new[] { "a", "b", "c" }) Assert.Equal(ReplayVerdict.First, guard.TryRecord(key, _time.GetUtcNow().AddMinutes(5)));

        Assert.Equal(ReplayVerdict.Full, guard.TryRecord("d", _time.GetUtcNow().AddMinutes(5)));
        Assert.Equal(ReplayVerdict.Replayed, guard.TryRecord("a", _time.GetUtcNow().AddMinutes(5))); // "a" was not evicted
        Assert.Equal(3, guard.Count);

        _time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(ReplayVerdict.First, guard.TryRecord("d", _time.GetUtcNow().AddMinutes(5)));
    }

    [Fact]
    public void TryRecord_ManyKeysOverTime_StaysBounded()
    {
        var guard = new ReplayGuard(_time, capacity: 1000);
        for (var i = 0; i < 20_000; i++)
        {
            Assert.NotEqual(ReplayVerdict.Full, guard.TryRecord($"k{i}", _time.GetUtcNow().AddMinutes(1)));
            _time.Advance(TimeSpan.FromMilliseconds(100)); // 600 live keys at most
        }

        Assert.InRange(guard.Count, 1, 601);
    }
}
