using DetaineeAlertBot.Core.Alerts;

namespace DetaineeAlertBot.Core.Tests.Alerts;

public class DeliveryRetryPolicyTests
{
    private readonly DeliveryRetryPolicy _policy = new() { MaxAttempts = 5, BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(60) };

    [Theory]
    // attempt, jitter unit, expected seconds: base * 2^(attempt-1) * (0.8 + 0.4 * unit), capped at 60 s.
    [InlineData(1, 0.5, 2.0)]
    [InlineData(2, 0.5, 4.0)]
    [InlineData(3, 0.0, 6.4)]
    [InlineData(3, 0.999, 9.5968)]
    [InlineData(10, 0.5, 60.0)]
    [InlineData(40, 0.999, 60.0)]
    public void NextDelay_Backoff_IsExponentialJitteredAndCapped(int attempt, double unit, double seconds)
    {
        Assert.Equal(seconds, _policy.NextDelay(attempt, null, unit).TotalSeconds, 3);
    }

    [Fact]
    public void NextDelay_PlatformRetryAfter_IsHonoured()
    {
        var delay = _policy.NextDelay(1, TimeSpan.FromSeconds(30), 0.0);

        Assert.Equal(30, delay.TotalSeconds, 3);
    }

    [Theory]
    [InlineData(4, false)]
    [InlineData(5, true)]
    [InlineData(6, true)]
    public void IsExhausted_AtMaxAttempts_IsTrue(int attempt, bool expected) => Assert.Equal(expected, _policy.IsExhausted(attempt));
}
