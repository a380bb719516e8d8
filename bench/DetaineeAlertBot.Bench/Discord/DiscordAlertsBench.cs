using System.Diagnostics;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Bench.Discord;

/// <summary>
/// Alert throughput through the real Discord sink and client against the fake Discord enforcing Discord's limits
/// (5 messages / 5 s per channel, 50 requests/s global): a burst of alerts to one channel and the same number
/// spread over many channels, all handed over at once. Pass: all delivered, at least 90% of the ceiling rate
/// (measured on the fake's receipt times), at most one 429 per scenario.
/// </summary>
public sealed class DiscordAlertsBench : IBenchCommand
{
    public string Name => "discord-alerts";

    public string Description => "alerts to one channel and spread over channels vs Discord's limits [--alerts N] [--channels N] [--scenario one|spread|all]";

    public async Task<int> RunAsync(string[] args)
    {
        var alerts = BenchArgs.Int(args, "--alerts", 100);
        var channels = BenchArgs.Int(args, "--channels", 20);
        var scenario = BenchArgs.String(args, "--scenario", "all");
        var pass = true;
        if (scenario is "one" or "all")
        {
            pass &= await RunScenarioAsync($"{alerts} alerts to 1 channel", alerts, 1);
        }

        if (scenario is "spread" or "all")
        {
            pass &= await RunScenarioAsync($"{alerts} alerts over {channels} channels", alerts, channels);
        }

        Console.WriteLine(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    private static async Task<bool> RunScenarioAsync(string title, int alertCount, int channelCount)
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        fake.ChannelMessageLimit = 5;
        fake.ChannelMessageWindow = TimeSpan.FromSeconds(5);
        fake.GlobalLimitPerSecond = 50;
        var rest = new DiscordRestClient(new HttpClient(), Options.Create(new DiscordRestOptions { ApiBaseUrl = fake.ApiBaseUrl, BotToken = FakeDiscordServer.DefaultBotToken }));
        var sink = new DiscordAlertSink(rest, new HealthRegistry(TimeProvider.System), NullLogger<DiscordAlertSink>.Instance);
        var channels = Enumerable.Range(0, channelCount).Select(i => (700000000000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        // One warm-up message on a channel of its own (JIT, connections), not counted.
        await sink.SendAsync(Alert(-1, "699999999999999999"), CancellationToken.None);
        var warmupRequests = fake.Requests.Count;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // let the warm-up leave the 1-second global window

        var started = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(Enumerable.Range(0, alertCount).Select(i => sink.SendAsync(Alert(i, channels[i % channelCount]), CancellationToken.None)));
        var elapsed = Stopwatch.GetElapsedTime(started);

        var requests = fake.Requests.Skip(warmupRequests).ToList();
        var accepted = requests.Where(r => r.Status == 200).Select(r => r.ReceivedAt).Order().ToList();
        var tooMany = requests.Count(r => r.Status == 429);
        var delivered = results.Count(r => r.Outcome == DeliveryOutcome.Sent);
        var messages = fake.Messages.Where(m => m.ChannelId != "699999999999999999").ToList();
        var withNonce = messages.Count(m => m.Nonce is { Length: > 0 and <= 25 } && m.Body["enforce_nonce"]?.GetValue<bool>() == true
            && m.Body["allowed_mentions"]?["parse"]?.AsArray().Count == 0);

        // The fastest the limits allow, from the first accepted request to the last one.
        var perChannel = (int)Math.Ceiling(alertCount / (double)channelCount);
        var channelBound = (Math.Ceiling(perChannel / (double)fake.ChannelMessageLimit) - 1) * fake.ChannelMessageWindow.TotalSeconds;
        var globalBound = Math.Ceiling(alertCount / (double)fake.GlobalLimitPerSecond) - 1;
        var ceiling = Math.Max(channelBound, globalBound);
        var span = accepted.Count > 1 ? (accepted[^1] - accepted[0]).TotalSeconds : 0;
        var ofCeiling = span <= 0 ? 1 : Math.Min(1, ceiling / span);

        Console.WriteLine($"## {title}");
        Console.WriteLine($"delivered {delivered}/{alertCount} (fake holds {messages.Count}, {withNonce} with nonce + enforce_nonce + no mentions); 429s: {tooMany}");
        Console.WriteLine($"first to last accepted request: {span:0.00} s (limits allow {ceiling:0.00} s) -> {ofCeiling:P1} of the ceiling rate; all handed over -> all sent: {elapsed.TotalSeconds:0.00} s");
        var pass = delivered == alertCount && messages.Count == alertCount && withNonce == alertCount && tooMany <= 1 && ofCeiling >= 0.9;
        if (Environment.GetEnvironmentVariable("BENCH_VERBOSE") == "1")
        {
            Console.WriteLine(string.Join(" ", accepted.Select(a => $"{(a - accepted[0]).TotalMilliseconds:0}")));
        }

        Console.WriteLine(pass ? "ok" : "NOT OK");
        return pass;
    }

    private static AlertMessage Alert(int i, string channel) => new(
        $"bench{i + 1:D19}",
        "discord",
        channel,
        new CaseRecord
        {
            Source = "bench",
            Id = $"c{i + 1:D6}",
            Name = $"Person {i + 1}",
            Status = CaseStatus.Released,
            Country = "Afghanistan",
            HeldBy = "Taliban",
            SourceUrl = $"https://example.org/case/c{i + 1:D6}",
        },
        CaseStatus.Detained,
        CaseStatus.Released,
        DateTimeOffset.UtcNow,
        1,
        new DateOnly(2024, 12, 1));}
