using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack.Tests.Cards;

/// <summary>chat.update is Tier 3 per workspace: the client's pacer against the fake's sliding minute, on one fake clock.</summary>
public sealed class SlackUpdatePacingTests : FakeSlackTest
{
    // Request timeouts (an hour here) are armed on the same clock; the pacing waits are at most a minute.
    private static readonly TimeSpan Horizon = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task BurstOf100Edits_PacedUnderTier3_No429()
    {
        Slack.PerChannelInterval = null;
        var time = new WaitAwareTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20_000));
        Slack.Clock = time;
        var client = CreateClient(o => o.RequestTimeout = TimeSpan.FromHours(1), time);
        // The cards come from a real-time client: posts are paced per channel on the clock, and this one stands still.
        var cards = await PostCardsAsync(CreateClient(), 10);
        var started = time.GetUtcNow();

        var edits = Enumerable.Range(0, 100)
            .Select(i => client.UpdateMessageAsync("C111", cards[i % cards.Count].Ts, $"edit {i}", [], CancellationToken.None))
            .ToArray();
        // The first 50 go at once; let them all arrive before the clock jumps, as real time would not jump past them.
        await Eventually.TrueAsync(() => Slack.Edits.Count == 50, TimeSpan.FromSeconds(30));
        await time.RunUntilDoneAsync(Task.WhenAll(edits), Horizon);

        Assert.Equal(0, Slack.RateLimitedCount);
        Assert.Equal(100, Slack.Calls("chat.update"));
        var at = Slack.Edits.Select(e => e.At).Order().ToArray();
        Assert.Equal(100, at.Length);
        // The fake's rule, checked again on what it recorded: no sliding minute holds more than 50 edits.
        for (var i = 50; i < at.Length; i++)
        {
            Assert.True(at[i] - at[i - 50] >= TimeSpan.FromMinutes(1), $"edit {i} came {at[i] - at[i - 50]} after edit {i - 50}");
        }

        // As fast as allowed: the first 50 at once, the next 50 a minute (and the pacer's arrival margin) later.
        Assert.Equal(TimeSpan.FromMinutes(1) + SlackMethodPacer.ArrivalMargin, time.GetUtcNow() - started);
    }

    [Fact]
    public async Task BurstWithoutPacing_FakeAnswers429()
    {
        Slack.PerChannelInterval = null;
        var time = new WaitAwareTimeProvider();
        Slack.Clock = time;
        var client = CreateClient(o =>
        {
            o.MessageUpdatesPerWindow = 0;
            o.MaxAttempts = 1;
        }, time);
        var card = (await PostCardsAsync(client, 1))[0];

        for (var i = 0; i < 50; i++)
        {
            await client.UpdateMessageAsync("C111", card.Ts, $"edit {i}", [], CancellationToken.None);
        }

        var e = await Assert.ThrowsAsync<SlackApiException>(() => client.UpdateMessageAsync("C111", card.Ts, "one too many", [], CancellationToken.None));

        Assert.Equal("ratelimited", e.Error);
        Assert.Equal(TimeSpan.FromSeconds(60), e.RetryAfter);
        Assert.Equal(1, Slack.RateLimitedCount);
    }

    [Fact]
    public async Task Update429_RetriedAfterRetryAfterThroughThePacer()
    {
        Slack.PerChannelInterval = null;
        var time = new WaitAwareTimeProvider();
        var client = CreateClient(o => o.RequestTimeout = TimeSpan.FromHours(1), time);
        var card = (await PostCardsAsync(client, 1))[0];
        Slack.Enqueue("chat.update", Fake.FakeResponse.RateLimited(2));

        var editing = client.UpdateMessageAsync("C111", card.Ts, "x", [], CancellationToken.None);
        await time.RunUntilDoneAsync(editing, Horizon);

        Assert.Equal(2, Slack.Calls("chat.update"));
        Assert.Single(Slack.Edits);
    }

    private static async Task<List<PostedMessage>> PostCardsAsync(SlackApiClient client, int count)
    {
        var cards = new List<PostedMessage>();
        for (var i = 0; i < count; i++)
        {
            cards.Add(await client.PostMessageAsync(new ChatPostMessageRequest("C111", $"card {i}"), CancellationToken.None));
        }

        return cards;
    }
}
