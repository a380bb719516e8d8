using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Tests.Cluster;
using static DetaineeAlertBot.Tests.Faults.DeliveryResilience;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>Nothing lost, nothing silent, when a platform says "later" (rate limits): real bots against the fake Slack server over
/// loopback sockets, on real SQLite files and (in CI) a real PostgreSQL database. Changes arrive by push ingest.</summary>
[LongRunning]
public sealed class RateLimitTests
{
    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task RateLimitsOutlastingGiveUpAfter_DeliverOnceSpendNoAttemptAndDeadLetterNothing(string provider)
    {
        // Rate limits say "later", not "failed": they must neither count as attempts nor run the GiveUpAfter clock.
        // The Slack client retries a 429 in place (4 calls per send), so 8 rate limits are 2 sends the dispatcher sees
        // rate limited, spread over 8+ s (Retry-After: 1 each, Slack's smallest). Counted as failures, each would come
        // after the 2 s GiveUpAfter: a dead letter instead of a delivery.
        const int rateLimits = 8;
        await using var slack = await FakeSlackServer.StartAsync();
        slack.PerChannelInterval = null;
        await using var bot = await DeliveryBot.StartAsync(provider, "slack", SlackChannel, null, [.. SlackArgs(slack), "--Alerts:GiveUpAfter=00:00:02"]);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        for (var i = 0; i < rateLimits; i++) slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(1));
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(() => SlackIn(slack, SlackChannel).Length == 1, TimeSpan.FromSeconds(60));
        Assert.True(slack.Calls("chat.postMessage") >= rateLimits + 1, $"{slack.Calls("chat.postMessage")} posts for one alert");
        var row = await bot.Outbox.FindAsync(DeliveryIdOf(Assert.Single(SlackIn(slack, SlackChannel))), CancellationToken.None);
        await Eventually.TrueAsync(async () => (await bot.Outbox.FindAsync(row!.DeliveryId, CancellationToken.None))!.State == OutboxState.Sent);
        Assert.Equal(0, (await bot.Outbox.FindAsync(row!.DeliveryId, CancellationToken.None))!.Attempts);
        Assert.Equal(0L, (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead);
    }
}
