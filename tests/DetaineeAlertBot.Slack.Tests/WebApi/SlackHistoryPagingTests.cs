using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack.Tests.WebApi;

/// <summary>conversations.history against the fake's cursor pagination (limit, has_more, response_metadata.next_cursor).</summary>
public sealed class SlackHistoryPagingTests : FakeSlackTest
{
    private async Task<(SlackApiClient Client, List<string> Newest)> PostAsync(int count)
    {
        Slack.PerChannelInterval = null;
        var client = CreateClient(o => o.ChannelMessageInterval = TimeSpan.Zero);
        var posted = new List<string>();
        for (var i = 0; i < count; i++)
        {
            posted.Add((await client.PostMessageAsync(new ChatPostMessageRequest("C111", $"m{i}"), CancellationToken.None)).Ts);
        }

        posted.Reverse();
        return (client, posted);
    }

    [Fact]
    public async Task GetHistory_AcrossThreePages_FollowsTheCursorNewestFirst()
    {
        var (client, newest) = await PostAsync(5);
        Slack.MaxHistoryPage = 2;

        var history = await client.GetHistoryAsync("C111", DateTimeOffset.UtcNow - TimeSpan.FromHours(1), 100, CancellationToken.None);

        // Pages of 2, 2 and 1: without the cursor the client would read the first page again.
        Assert.Equal(newest, history.Select(m => m.Ts));
        Assert.Equal(3, Slack.Calls("conversations.history"));
    }

    [Fact]
    public async Task GetHistory_MoreThanAsked_StopsAtMaxMessages()
    {
        var (client, newest) = await PostAsync(7);
        Slack.MaxHistoryPage = 2;

        var history = await client.GetHistoryAsync("C111", DateTimeOffset.UtcNow - TimeSpan.FromHours(1), 5, CancellationToken.None);

        Assert.Equal(newest.Take(5), history.Select(m => m.Ts));
        Assert.Equal(3, Slack.Calls("conversations.history"));
    }

    [Fact]
    public async Task GetHistory_EmptyPageClaimingMore_Stops()
    {
        var client = CreateClient();
        Slack.Enqueue("conversations.history", FakeResponse.Ok("""{"ok":true,"messages":[],"has_more":true,"response_metadata":{"next_cursor":"bmV4dDow"}}"""));

        var history = await client.GetHistoryAsync("C111", DateTimeOffset.UtcNow - TimeSpan.FromHours(1), 100, CancellationToken.None);

        Assert.Empty(history);
        Assert.Equal(1, Slack.Calls("conversations.history"));
    }
}
