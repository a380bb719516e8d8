using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Bench.Cards;

/// <summary>
/// Click → acknowledgement latency with a large catalog (<see cref="LargeCatalogBot"/>) and one case card: the card's
/// acknowledgement toggle (Acknowledge, then Undo acknowledge: each updates the card for everyone) alternating with History
/// (a private answer), over the signed HTTP endpoints. Discord: until the HTTP response with the inline answer (type 7
/// updating the card, type 4 ephemeral). Slack: until the 200, and until the card's chat.update (toggle) or the
/// response_url post (History) reaches the fake.
/// </summary>
internal static class CardClickLatency
{
    private const string DiscordChannel = "645027906669510667";
    private const string SlackChannel = "C111";
    private const string SigningSecret = "cards-bench-signing-secret";
    private const int Warmup = 10;

    public sealed record Result(IReadOnlyList<string> Rows, bool Pass);

    public static async Task<Result> RunDiscordAsync(int catalog, int clicks)
    {
        Console.WriteLine();
        Console.WriteLine($"## Discord clicks: {clicks} over signed POST /discord/interactions, {catalog:N0} cases loaded");
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var bot = await LargeCatalogBot.StartAsync("cards-discord", catalog,
        [
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
            $"--Discord:PublicKey={fake.PublicKeyHex}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            "--Discord:UseGateway=false",
            .. CardArgs("discord", DiscordChannel),
        ]);
        Console.WriteLine($"{bot.Cases.Count:N0} cases loaded in {bot.LoadTime.TotalSeconds:0.0} s");
        await PostCardAsync(bot, () => fake.Messages.Count);
        var card = fake.Messages.Single();
        var endpoint = new Uri(bot.Http.BaseAddress!, "/discord/interactions");

        var toggleMs = new List<double>();
        var historyMs = new List<double>();
        var problems = new List<string>();
        for (var i = 0; i < Warmup + clicks; i++)
        {
            var toggle = i % 2 == 0;
            var current = fake.FindMessage(card.Id)!.Body;
            var label = toggle ? (Labels(current).Contains("Acknowledge") ? "Acknowledge" : "Undo acknowledge") : "History";
            var interaction = fake.ComponentInteraction(DiscordChannel, card.Id, CustomId(current, label), "3072", userId: "900000000000000001");
            var started = Stopwatch.GetTimestamp();
            var exchange = await fake.PostInteractionAsync(endpoint, interaction);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var answer = await exchange.Callback.WaitAsync(TimeSpan.FromSeconds(10));
            var expectedType = toggle ? 7 : 4;
            var ok = exchange is { HttpStatus: 200, InlineRejection: null } && exchange.InitialType == expectedType
                && (toggle
                    ? Description(fake.FindMessage(card.Id)!.Body).Contains("Acknowledged by", StringComparison.Ordinal) == (label == "Acknowledge")
                    : (int?)answer["data"]?["flags"] == 64 && answer.ToJsonString().Contains("Charged", StringComparison.Ordinal));
            if (!ok) problems.Add($"click {i} {label}: HTTP {exchange.HttpStatus}, type {exchange.InitialType}, rejection {exchange.InlineRejection}");
            if (i < Warmup) continue;
            (toggle ? toggleMs : historyMs).Add(elapsed);
        }

        var all = toggleMs.Concat(historyMs).ToArray();
        Console.WriteLine($"{clicks} clicks after {Warmup} warm-up: {toggleMs.Count} Acknowledge/Undo (type 7, the card updated in the answer), "
            + $"{historyMs.Count} History (type 4, ephemeral); {problems.Count} wrong answers; 429s {fake.RateLimitedCount}");
        foreach (var p in problems.Take(5)) Console.WriteLine($"MISMATCH {p}");
        Stats.Report("Acknowledge/Undo: signed POST -> inline type-7 response", toggleMs);
        Stats.Report("History: signed POST -> inline type-4 response", historyMs);
        Stats.Report("all clicks", all);
        var pass = problems.Count == 0 && Stats.Median(all) < 50;
        Console.WriteLine(pass ? "ok (median < 50 ms)" : "NOT OK");
        return new Result(
        [
            Row("discord click", "Ack/Undo -> inline type 7", toggleMs),
            Row("discord click", "History -> inline type 4", historyMs),
            Row("discord click", "all", all) + $" | {(pass ? "ok" : "NOT OK")}",
        ], pass);
    }

    public static async Task<Result> RunSlackAsync(int catalog, int clicks, TimeSpan interval)
    {
        Console.WriteLine();
        Console.WriteLine($"## Slack clicks: {clicks} over signed POST /slack/interactions, {catalog:N0} cases loaded, one click every {interval.TotalMilliseconds:0} ms");
        await using var slack = await FakeSlackServer.StartAsync();
        await using var bot = await LargeCatalogBot.StartAsync("cards-slack", catalog,
        [
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}", $"--Slack:SigningSecret={SigningSecret}",
            .. CardArgs("slack", SlackChannel),
        ]);
        Console.WriteLine($"{bot.Cases.Count:N0} cases loaded in {bot.LoadTime.TotalSeconds:0.0} s");
        await PostCardAsync(bot, () => slack.Messages.Count);
        var card = slack.Messages.Single();
        var url = new Uri(bot.Http.BaseAddress!, "/slack/interactions").ToString();

        var okMs = new List<double>();
        var updateMs = new List<double>();
        var historyMs = new List<double>();
        var problems = new List<string>();
        for (var i = 0; i < Warmup + clicks; i++)
        {
            var toggle = i % 2 == 0;
            var label = toggle ? (Labels(slack, card).Contains("Acknowledge") ? "Acknowledge" : "Undo acknowledge") : "History";
            var click = slack.BlockActions(card, ActionId(slack, card, label), userId: "U111");
            var editsBefore = slack.Edits.Count;
            using var request = FakeSlackServer.SignedInteractionRequest(url, click.PayloadJson, SigningSecret);
            var sentAt = DateTimeOffset.UtcNow;
            var started = Stopwatch.GetTimestamp();
            using var response = await bot.Http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            var http = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            double seen;
            try
            {
                if (toggle)
                {
                    await Until.TrueAsync(() => slack.Edits.Skip(editsBefore).Any(e => e.Ts == card.Ts && !e.ViaResponseUrl), TimeSpan.FromSeconds(30), "the card's chat.update", pollMs: 1);
                    seen = (slack.Edits.Skip(editsBefore).First(e => e.Ts == card.Ts && !e.ViaResponseUrl).At - sentAt).TotalMilliseconds;
                    var acknowledged = SectionText(slack, card).Contains("Acknowledged by", StringComparison.Ordinal);
                    if (acknowledged != (label == "Acknowledge")) problems.Add($"click {i} {label}: the card says acknowledged={acknowledged}");
                }
                else
                {
                    var answer = await slack.WaitForResponseUrlPostAsync(click.ResponseUrl!, TimeSpan.FromSeconds(30));
                    seen = Stopwatch.GetElapsedTime(started).TotalMilliseconds; // observed by the bench (the post carries no receipt time)
                    if (answer.GetProperty("response_type").GetString() != "ephemeral" || !answer.GetRawText().Contains("Charged", StringComparison.Ordinal))
                    {
                        problems.Add($"click {i} History: {answer.GetRawText()[..Math.Min(200, answer.GetRawText().Length)]}");
                    }
                }
            }
            catch (TimeoutException e)
            {
                problems.Add($"click {i} {label}: {e.Message}");
                seen = double.NaN;
            }

            if ((int)response.StatusCode != 200) problems.Add($"click {i} {label}: HTTP {(int)response.StatusCode}");
            if (i >= Warmup)
            {
                okMs.Add(http);
                if (!double.IsNaN(seen)) (toggle ? updateMs : historyMs).Add(seen);
            }

            // Clicks at a human-ish pace that keeps the card's chat.update under Tier 3 (50/min): the bot paces
            // chat.update itself, so faster clicks would measure its queue, not the click.
            var next = sentAt + interval - DateTimeOffset.UtcNow;
            if (next > TimeSpan.Zero) await Task.Delay(next);
        }

        Console.WriteLine($"{clicks} clicks after {Warmup} warm-up: {updateMs.Count} Acknowledge/Undo (chat.update of the card), {historyMs.Count} History "
            + $"(ephemeral response_url post); {problems.Count} problems; 429s {slack.RateLimitedCount}; chat.update calls {slack.Edits.Count(e => !e.ViaResponseUrl)}");
        foreach (var p in problems.Take(5)) Console.WriteLine($"MISMATCH {p}");
        Stats.Report("signed POST /slack/interactions -> 200", okMs);
        Stats.Report("Acknowledge/Undo: signed POST -> chat.update of the card at the fake", updateMs);
        Stats.Report("History: signed POST -> response_url post seen", historyMs);
        var pass = problems.Count == 0 && updateMs.Count + historyMs.Count == clicks && Stats.Median(okMs) < 50 && Stats.Median(updateMs) < 50;
        Console.WriteLine(pass ? "ok (medians < 50 ms)" : "NOT OK");
        return new Result(
        [
            Row("slack click", "POST -> 200", okMs),
            Row("slack click", "Ack/Undo -> chat.update", updateMs) + $" | {(pass ? "ok" : "NOT OK")}",
            Row("slack click", "History -> response_url", historyMs),
        ], pass);
    }

    /// <summary>A push source and one carded channel watching push:card-1.</summary>
    private static string[] CardArgs(string platform, string channel) =>
    [
        $"--Ingest:ApiKey={CardBot.ApiKey}",
        $"--Watchlists:0:Platform={platform}", $"--Watchlists:0:ChannelId={channel}", "--Watchlists:0:Cases:0=push:card-1",
    ];

    /// <summary>Pushes card-1 detained (baseline) then charged: one card.</summary>
    private static async Task PostCardAsync(LargeCatalogBot bot, Func<int> messagesInFake)
    {
        var catalog = bot.App.Services.GetRequiredService<CaseCatalog>();
        var before = catalog.Count;
        await PushAsync(bot.Http, "detained");
        await Until.TrueAsync(() => catalog.Count > before, TimeSpan.FromSeconds(60), "card-1 in the catalog");
        await PushAsync(bot.Http, "charged");
        await Until.TrueAsync(() => messagesInFake() >= 1, TimeSpan.FromSeconds(60), "the card posted");
    }

    private static async Task PushAsync(HttpClient http, string status)
    {
        var document = $$"""{"cases":[{"id":"card-1","name":"Card Person","status":"{{status}}","country":"Afghanistan","sourceUrl":"https://example.org/cases/card-1"}]}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", CardBot.ApiKey);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static string Row(string what, string path, IReadOnlyCollection<double> ms) =>
        $"{what,-17} | {path,-26} | n {ms.Count} | median {Stats.Percentile(ms, 0.5):0.0} ms | p90 {Stats.Percentile(ms, 0.9):0.0} ms | p99 {Stats.Percentile(ms, 0.99):0.0} ms";

    private static List<string> Labels(JsonObject body) =>
        body["components"]?.AsArray().SelectMany(row => row!["components"]!.AsArray()).Select(b => (string?)b!["label"] ?? "").ToList() ?? [];

    private static string CustomId(JsonObject body, string label) =>
        (string)body["components"]!.AsArray().SelectMany(row => row!["components"]!.AsArray()).First(b => (string?)b!["label"] == label)!["custom_id"]!;

    private static string Description(JsonObject body) => ((string?)body["embeds"]?[0]?["description"] ?? "").Replace("\\", "", StringComparison.Ordinal);

    private static IEnumerable<JsonElement> Elements(FakeSlackServer slack, FakeMessage card) =>
        slack.Message(card.Channel, card.Ts)!.Blocks!.Value.EnumerateArray().Where(b => b.GetProperty("type").GetString() == "actions")
            .SelectMany(b => b.GetProperty("elements").EnumerateArray()).ToArray();

    private static List<string> Labels(FakeSlackServer slack, FakeMessage card) =>
        Elements(slack, card).Select(e => e.GetProperty("text").GetProperty("text").GetString()!).ToList();

    private static string ActionId(FakeSlackServer slack, FakeMessage card, string label) =>
        Elements(slack, card).First(e => e.GetProperty("text").GetProperty("text").GetString() == label).GetProperty("action_id").GetString()!;

    private static string SectionText(FakeSlackServer slack, FakeMessage card) =>
        slack.Message(card.Channel, card.Ts)!.Blocks!.Value[1].GetProperty("text").GetProperty("text").GetString() ?? "";
}
