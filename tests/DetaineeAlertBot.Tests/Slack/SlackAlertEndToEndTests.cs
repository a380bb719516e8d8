using System.Text.Json;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Slack;

/// <summary>A feed edit through the whole pipeline (file source, change detection, outbox, dispatcher) to the fake Slack.</summary>
public sealed class SlackAlertEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "slack", "ChannelId": "C111", "Cases": "af-1", "Style": "plain" } ]
        }
        """;

    [Fact]
    public async Task FeedEdit_WatchedStatusChange_PostsOneBlockKitMessageToTheChannel()
    {
        var root = SlackHost.CreateRoot(Settings, Feed("detained", "<!channel> Amir"));
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: false);
        await Eventually.TrueAsync(async () => (await HealthAsync(host)).GetProperty("cases").GetInt32() == 1, Wait);

        SlackHost.ReplaceFeed(root, Feed("released", "<!channel> Amir"));
        await Eventually.TrueAsync(() => host.Slack.Messages.Count >= 1, Wait);
        // Once the row is stored sent nothing is left to send: a duplicate would be in the fake by now.
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 1), Wait);

        var message = Assert.Single(host.Slack.Messages);
        Assert.Equal("C111", message.Channel);
        Assert.Equal("&lt;!channel&gt; Amir: detained -&gt; released (Afghanistan)", message.Body.GetProperty("text").GetString());
        var blocks = message.Body.GetProperty("blocks");
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("&lt;!channel&gt; Amir — Released", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("detainee_alert", message.Body.GetProperty("metadata").GetProperty("event_type").GetString());
        Assert.False(string.IsNullOrEmpty(message.Body.GetProperty("metadata").GetProperty("event_payload").GetProperty("delivery_id").GetString()));
        Assert.DoesNotContain("<!channel>", message.Body.GetRawText(), StringComparison.Ordinal);
    }

    private static string Feed(string status, string name) =>
        $$"""{"cases":[{"id":"af-1","name":{{JsonSerializer.Serialize(name)}},"status":"{{status}}","country":"Afghanistan","sourceUrl":"https://example.org/af-1"}]}""";

    private static async Task<JsonElement> HealthAsync(SlackHost host)
    {
        using var response = await host.Http.GetAsync("/healthz/detail");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
