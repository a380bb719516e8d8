using System.Net;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Cluster;

/// <summary>Meters are process-wide by name: another host starting or stopping in this process while /metrics is read
/// would add to or end the same instruments, so this collection runs on its own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

/// <summary>GET /metrics: Prometheus text with the bot's own instruments, fed by a real status change.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_AfterAStatusChangeIsDelivered_ExportsPipelineLeaderAndOutboxInstruments()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), """
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "console", "ChannelId": "ops", "Cases": "af-1" } ]
            }
            """);
        await using var host = await BotTestHost.StartAsync(root);
        await Eventually.TrueAsync(async () => host.Console.Text.Length == 0 && (await HealthyAsync(host)));

        host.ReplaceFeedAtomically(BotTestHost.Feed(("af-1", "Amir Amiry", "released")));
        await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") == 1, detail: () => host.Console.Text);

        // The outbox gauges are sampled every 5 s; wait (bounded) for a sample that has the sent row.
        var text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = (await host.Http.GetStringAsync("/metrics"));
            return HasSample(text, "detaineebot_outbox_rows", "1", "platform=\"console\"", "state=\"sent\"");
        }, TimeSpan.FromSeconds(30), detail: () => text);

        Assert.True(HasSample(text, "detaineebot_alerts_delivered_total", "1", "platform=\"console\""), text);
        Assert.True(HasSample(text, "detaineebot_alerts_created_total", "1", "source=\"test\""), text);
        Assert.True(HasSample(text, "detaineebot_alerts_change_to_delivery_seconds_count", "1", "platform=\"console\""), text);
        Assert.True(HasSample(text, "detaineebot_alerts_change_to_delivery_seconds_bucket", null, "platform=\"console\"", "le=\"0.05\""), text);
        Assert.True(HasSample(text, "detaineebot_outbox_depth", "0", "platform=\"console\""), text);
        Assert.True(HasSample(text, "detaineebot_cluster_leader", "1"), text);
        Assert.True(HasSample(text, "detaineebot_source_polls_total", null, "result=\"modified\"", "source=\"test\""), text);
        Assert.True(HasSample(text, "detaineebot_source_poll_duration_seconds_count", null, "source=\"test\""), text);
        Assert.Contains("# TYPE detaineebot_alerts_delivered_total counter", text);
    }

    [Fact]
    public async Task Metrics_AfterADiscord429_CountsItForDiscordAndTheDeliveryAfter()
    {
        await using var discord = await DetaineeAlertBot.Discord.Fake.FakeDiscordServer.StartAsync();
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), """
            {
              "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "discord", "ChannelId": "1300000000000000555", "Cases": "af-1" } ]
            }
            """);
        await using var host = await BotTestHost.StartAsync(root,
            $"--Discord:BotToken={DetaineeAlertBot.Discord.Fake.FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={DetaineeAlertBot.Discord.Fake.FakeDiscordServer.DefaultGuildId}",
            $"--Discord:ApplicationId={DetaineeAlertBot.Discord.Fake.FakeDiscordServer.DefaultApplicationId}",
            $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}", "--Discord:UseGateway=false", $"--Discord:PublicKey={discord.PublicKeyHex}");
        await Eventually.TrueAsync(async () => (await HealthyAsync(host)), TimeSpan.FromSeconds(30));
        discord.Script(new DetaineeAlertBot.Discord.Fake.ScriptedResponse(
            (method, path) => method == "POST" && path.EndsWith("/messages", StringComparison.Ordinal), 429,
            """{"message":"You are being rate limited.","retry_after":0.2,"global":false}""",
            new Dictionary<string, string> { ["Retry-After"] = "1", ["X-RateLimit-Scope"] = "user" }));

        host.ReplaceFeedAtomically(BotTestHost.Feed(("af-1", "Amir Amiry", "released")));
        await Eventually.TrueAsync(() => discord.Messages.Count == 1, TimeSpan.FromSeconds(30));

        var text = "";
        await Eventually.TrueAsync(async () =>
        {
            text = (await host.Http.GetStringAsync("/metrics"));
            return HasSample(text, "detaineebot_alerts_delivered_total", "1", "platform=\"discord\"");
        }, TimeSpan.FromSeconds(30), detail: () => text);
        Assert.True(HasSample(text, "detaineebot_chat_rate_limited_total", "1", "platform=\"discord\""), text);
        Assert.Equal(1, discord.RateLimitedCount);
    }

    /// <summary>A sample line of <paramref name="name"/> carrying every label given (any order, others allowed), with
    /// <paramref name="value"/> when not null.</summary>
    internal static bool HasSample(string text, string name, string? value, params string[] labels) =>
        text.Split('\n').Any(line =>
            (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            && labels.All(l => line.Contains(l, StringComparison.Ordinal))
            && (value is null || line.EndsWith(" " + value, StringComparison.Ordinal)));

    private static async Task<bool> HealthyAsync(BotTestHost host)
    {
        using var response = await host.Http.GetAsync("/healthz/detail");
        return response.StatusCode == HttpStatusCode.OK;
    }
}
