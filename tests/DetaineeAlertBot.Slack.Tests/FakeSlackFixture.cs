using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Slack.Tests;

/// <summary>A fresh fake Slack per test and a client pointed at it.</summary>
public abstract class FakeSlackTest : IAsyncLifetime
{
    protected FakeSlackServer Slack { get; private set; } = null!;

    protected HttpClient Http { get; } = new();

    public async Task InitializeAsync() => Slack = await FakeSlackServer.StartAsync();

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Slack.DisposeAsync();
    }

    protected SlackApiClient CreateClient(Action<SlackApiClientOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new SlackApiClientOptions
        {
            BaseUrl = Slack.ApiBaseUrl,
            BotToken = FakeSlackServer.DefaultBotToken,
            RetryJitter = TimeSpan.FromMilliseconds(20),
            // Real-time retry tests stay quick; the backoff itself is Resilience.Backoff, tested there.
            RetryBackoff = TimeSpan.FromMilliseconds(20),
        };
        configure?.Invoke(options);
        return new SlackApiClient(Http, options, time ?? TimeProvider.System, NullLogger<SlackApiClient>.Instance);
    }
}
