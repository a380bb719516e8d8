using System.Net;
using DetaineeAlertBot.Security;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Security;

public class AuthFailureThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private static readonly IPAddress Guesser = IPAddress.Parse("203.0.113.7");

    [Fact]
    public void RetryAfter_AfterMaxFailures_SlowsThatAddressOnlyUntilTheWindowEnds()
    {
        var throttle = new AuthFailureThrottle(_time);
        for (var i = 0; i < throttle.MaxFailures - 1; i++) throttle.RecordFailure(Guesser);
        Assert.Null(throttle.RetryAfter(Guesser));

        throttle.RecordFailure(Guesser);
        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(TimeSpan.FromSeconds(40), throttle.RetryAfter(Guesser));
        Assert.Null(throttle.RetryAfter(IPAddress.Parse("203.0.113.8")));
        _time.Advance(TimeSpan.FromSeconds(40));
        Assert.Null(throttle.RetryAfter(Guesser));
    }

    [Fact]
    public void RetryAfter_Ipv4MappedAddress_CountsAsTheSameCaller()
    {
        var throttle = new AuthFailureThrottle(_time);
        for (var i = 0; i < throttle.MaxFailures; i++) throttle.RecordFailure(i % 2 == 0 ? Guesser : Guesser.MapToIPv6());

        Assert.NotNull(throttle.RetryAfter(Guesser.MapToIPv6()));
    }

    [Fact]
    public void RecordSuccess_ClearsTheFailures()
    {
        var throttle = new AuthFailureThrottle(_time);
        for (var i = 0; i < throttle.MaxFailures - 1; i++) throttle.RecordFailure(Guesser);

        throttle.RecordSuccess(Guesser);
        throttle.RecordFailure(Guesser);

        Assert.Null(throttle.RetryAfter(Guesser));
    }

    [Fact]
    public void RecordFailure_ManyAddresses_KeepsMemoryBoundedAndStillSlowsTheLatest()
    {
        var throttle = new AuthFailureThrottle(_time) { MaxAddresses = 100 };
        for (var i = 0; i < 5000; i++) throttle.RecordFailure(new IPAddress([10, 0, (byte)(i / 256), (byte)(i % 256)]));
        var latest = IPAddress.Parse("198.51.100.1");
        for (var i = 0; i < throttle.MaxFailures; i++) throttle.RecordFailure(latest);

        Assert.NotNull(throttle.RetryAfter(latest));
        Assert.Null(throttle.RetryAfter(new IPAddress([10, 0, 0, 0]))); // long forgotten, and it had one failure only
    }
}
