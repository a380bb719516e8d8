using DetaineeAlertBot.Hosting;

namespace DetaineeAlertBot.Tests.Security;

public class HealthProbeTests
{
    [Theory]
    [InlineData("http://0.0.0.0:8080", "http://127.0.0.1:8080/healthz")]
    [InlineData("http://*:5000;https://*:5001", "http://127.0.0.1:5000/healthz")]
    [InlineData("http://+:9000/", "http://127.0.0.1:9000/healthz")]
    [InlineData("http://[::]:8080", "http://[::1]:8080/healthz")]
    [InlineData("http://127.0.0.1:7000", "http://127.0.0.1:7000/healthz")]
    [InlineData("https://bot.internal", "https://bot.internal:443/healthz")]
    public void LocalHealthUrl_ListenUrls_ReachTheFirstOneOnLoopback(string urls, string expected)
    {
        Assert.Equal(expected, HealthProbe.LocalHealthUrl(urls));
    }
}
