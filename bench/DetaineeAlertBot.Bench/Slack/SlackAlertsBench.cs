using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Bench.Slack;

/// <summary>
/// Alert throughput against a fake Slack that enforces one message per second per channel with 429 + Retry-After:
/// a burst of alerts to one channel, and the same number spread over ten channels, all submitted at once through
/// the production sink (Block Kit rendering, per-channel pacing, 429 handling).
/// Pass: everything delivered, at least 90% of the ceiling rate, at most one 429.
/// </summary>
public sealed class SlackAlertsBench : IBenchCommand
{
    public string Name => "slack-alerts";

    public string Description => "alert burst to 1 channel and spread over 10 vs a fake Slack enforcing 1 msg/s/channel [--alerts N]";

    public async Task<int> RunAsync(string[] args)
    {
        var count = BenchArgs.Int(args, "--alerts", 60);
        var ok = true;
        ok &= await RunScenarioAsync($"{count} alerts to 1 channel", count, channels: 1);
        ok &= await RunScenarioAsync($"{count} alerts over 10 channels", count, channels: 10);
        Console.WriteLine(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }

    private static async Task<bool> RunScenarioAsync(string title, int count, int channels)
    {
        await using var slack = await FakeSlackServer.StartAsync();
        slack.PerChannelInterval = TimeSpan.FromSeconds(1);
        using var http = new HttpClient();
        var api = new SlackApiClient(http, new SlackApiClientOptions { BaseUrl = slack.ApiBaseUrl, BotToken = FakeSlackServer.DefaultBotToken },
            TimeProvider.System, NullLogger<SlackApiClient>.Instance);
        var sink = new SlackAlertSink(api, new HealthRegistry(TimeProvider.System), NullLogger<SlackAlertSink>.Instance);

        var alerts = Enumerable.Range(0, count).Select(i => Alert(i, $"CBENCH{i % channels:D2}")).ToArray();
        var started = DateTimeOffset.UtcNow;
        var results = await Task.WhenAll(alerts.Select(a => sink.SendAsync(a, CancellationToken.None)));
        var elapsed = DateTimeOffset.UtcNow - started;

        var delivered = results.Count(r => r.Outcome == DeliveryOutcome.Sent);
        var messages = slack.Messages;
        var perChannel = messages.GroupBy(m => m.Channel).Select(g =>
        {
            var times = g.Select(m => m.ReceivedAt).Order().ToArray();
            var span = (times[^1] - times[0]).TotalSeconds;
            // The ceiling is one message per second: n messages need at least n - 1 seconds after the first.
            return span <= 0 ? 1.0 : (times.Length - 1) / span;
        }).ToArray();
        var perChannelCount = (count + channels - 1) / channels;
        var first = messages.Min(m => m.ReceivedAt);
        var last = messages.Max(m => m.ReceivedAt);
        var overallCeilingSeconds = perChannelCount - 1;
        var overallRatio = overallCeilingSeconds / Math.Max((last - first).TotalSeconds, 1e-9);
        var worstRatio = perChannel.Min();

        Console.WriteLine($"## {title}");
        Console.WriteLine($"delivered {delivered}/{count}; 429s from the fake {slack.RateLimitedCount}; wall time {elapsed.TotalSeconds:0.0} s");
        Console.WriteLine($"first to last accepted message {(last - first).TotalSeconds:0.00} s (ceiling {overallCeilingSeconds} s): {overallRatio:P1} of the ceiling rate");
        Console.WriteLine($"per channel: worst {worstRatio:0.000} msg/s ({worstRatio:P1} of 1 msg/s)");
        var pass = delivered == count && messages.Count == count && slack.RateLimitedCount <= 1 && worstRatio >= 0.9 && overallRatio >= 0.9;
        Console.WriteLine(pass ? "ok" : "NOT MET (need all delivered, >= 90% of ceiling, <= one 429)");
        return pass;
    }

    private static AlertMessage Alert(int i, string channel) => new(
        $"bench{i:D6}", "slack", channel,
        new CaseRecord
        {
            Source = "bench",
            Id = $"c{i:D6}",
            Name = $"Bench Person {i}",
            Status = CaseStatus.Released,
            StatusSince = new DateOnly(2026, 11, 20),
            Country = "Afghanistan",
            HeldBy = "Taliban",
            SourceUrl = $"https://example.org/cases/{i}",
        },
        CaseStatus.Detained, CaseStatus.Released, DateTimeOffset.UtcNow, 1, new DateOnly(2024, 12, 1));}
