using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Bench.Discord;

/// <summary>
/// Interaction latency of the real host with a large catalog, both ways Discord delivers them: INTERACTION_CREATE on
/// the fake gateway, timed from the dispatch being sent to the callback reaching the fake; and signed
/// POST /discord/interactions, timed from request to inline response. Pass: gateway median under 50 ms.
/// </summary>
public sealed class DiscordInteractionsBench : IBenchCommand
{
    private const string Channel = "645027906669510667";

    public string Name => "discord-interactions";

    public string Description => "interaction receipt-to-callback latency (gateway and HTTP) with a large catalog [--cases N] [--interactions N]";

    public async Task<int> RunAsync(string[] args)
    {
        var caseCount = BenchArgs.Int(args, "--cases", 100_000);
        var count = BenchArgs.Int(args, "--interactions", 400);
        await using var fake = await FakeDiscordServer.StartAsync();
        await using var bot = await LargeCatalogBot.StartAsync("discord-interactions", caseCount,
        [
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
            $"--Discord:PublicKey={fake.PublicKeyHex}",
        ]);
        var cases = bot.Cases.ToArray();
        Console.WriteLine($"{cases.Length:N0} cases loaded in {bot.LoadTime.TotalSeconds:0.0} s");
        using (var readyTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (fake.Gateway.Current is not { Ready: true })
            {
                await Task.Delay(50, readyTimeout.Token);
            }
        }

        var http = bot.Http;
        var random = new Random(42);
        var interactions = Enumerable.Range(0, count + 20).Select(i => Interaction(random, cases, 1_400_000_000_000_000_000L + i)).ToArray();

        // Warm up both paths (JIT, connection pools), then measure.
        for (var i = 0; i < 20; i++)
        {
            await GatewayAsync(fake, interactions[i]);
            await HttpAsync(http, fake, interactions[i]);
        }

        var gatewayMs = new List<double>();
        var httpMs = new List<double>();
        Replies.Clear();
        for (var i = 20; i < interactions.Length; i++)
        {
            gatewayMs.Add((await GatewayAsync(fake, interactions[i])).TotalMilliseconds);
            httpMs.Add((await HttpAsync(http, fake, interactions[i])).TotalMilliseconds);
        }

        var deferred = fake.Callbacks.Count(c => (int?)c.Json["type"] == 5);
        Console.WriteLine($"HTTP replies: {Replies.Count(r => r.StartsWith("choices:", StringComparison.Ordinal))} autocomplete "
            + $"(avg {Replies.Where(r => r.StartsWith("choices:", StringComparison.Ordinal)).Select(r => int.Parse(r[8..], CultureInfo.InvariantCulture)).DefaultIfEmpty().Average():0.0} choices), "
            + $"{Replies.Count(r => r.StartsWith("embed:", StringComparison.Ordinal))} embeds, {Replies.Count(r => r.Contains("went wrong", StringComparison.Ordinal))} errors; "
            + $"sample: {string.Join(" | ", Replies.Where(r => r.StartsWith("embed:", StringComparison.Ordinal)).Take(3))}");
        Console.WriteLine($"{count} interactions each way (lookups with typos and partial names, history, autocomplete, watchlist list); {deferred} deferred");
        Stats.Report("Gateway, INTERACTION_CREATE sent -> callback received", gatewayMs);
        Stats.Report("HTTP, signed POST /discord/interactions -> response", httpMs);
        var pass = Stats.Median(gatewayMs) < 50 && Stats.Median(httpMs) < 50;
        Console.WriteLine(pass ? "PASS (median < 50 ms both ways)" : "FAIL (median >= 50 ms)");
        return pass ? 0 : 1;
    }

    private static async Task<TimeSpan> GatewayAsync(FakeDiscordServer fake, JsonObject interaction)
    {
        var id = (string)interaction["id"]!;
        var before = fake.Callbacks.Count;
        var sent = DateTimeOffset.UtcNow;
        await fake.Gateway.DispatchAsync("INTERACTION_CREATE", interaction);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var callback = fake.Callbacks.Skip(before).FirstOrDefault(c => c.Id == id);
            if (callback is not null)
            {
                return callback.ReceivedAt - sent;
            }

            await Task.Delay(1, timeout.Token);
        }
    }

    private static async Task<TimeSpan> HttpAsync(HttpClient http, FakeDiscordServer fake, JsonObject interaction)
    {
        var body = Encoding.UTF8.GetBytes(interaction.ToJsonString());
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/discord/interactions") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Signature-Ed25519", fake.Sign(timestamp, body));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        response.EnsureSuccessStatusCode();
        var reply = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Replies.Add((int?)reply["type"] == 8
            ? $"choices:{reply["data"]!["choices"]!.AsArray().Count}"
            : $"embed:{(string?)reply["data"]?["embeds"]?[0]?["title"]} {(string?)reply["data"]?["embeds"]?[0]?["description"]}".ReplaceLineEndings(" "));
        return elapsed;
    }

    private static readonly List<string> Replies = [];

    // A realistic mix: mostly lookups of real names (some misspelt or partial), some history, autocomplete and list.
    private static JsonObject Interaction(Random random, CaseRecord[] cases, long id)
    {
        var name = cases[random.Next(cases.Length)].Name;
        return random.Next(10) switch
        {
            < 4 => Command(id, "case", "lookup", name),
            4 => Command(id, "case", "lookup", SyntheticCases.Typo(name, random)),
            5 => Command(id, "case", "lookup", name.Split(' ')[^1]),
            6 => Command(id, "case", "history", name),
            7 or 8 => Command(id, "case", "lookup", name[..Math.Min(name.Length, 1 + random.Next(6))], autocomplete: true),
            _ => Command(id, "watchlist", "list", null),
        };
    }

    private static JsonObject Command(long id, string command, string subcommand, string? query, bool autocomplete = false)
    {
        var options = new JsonArray();
        if (query is not null)
        {
            options.Add(new JsonObject { ["type"] = 3, ["name"] = "query", ["value"] = query, ["focused"] = autocomplete ? true : null });
        }

        return new JsonObject
        {
            ["id"] = id.ToString(CultureInfo.InvariantCulture),
            ["application_id"] = FakeDiscordServer.DefaultApplicationId,
            ["type"] = autocomplete ? 4 : 2,
            ["token"] = $"bench-token-{id}",
            ["version"] = 1,
            ["guild_id"] = "290926798626357999",
            ["channel_id"] = Channel,
            ["member"] = new JsonObject
            {
                ["user"] = new JsonObject { ["id"] = "53908232506183680", ["username"] = "bench" },
                ["roles"] = new JsonArray(),
                ["permissions"] = "3072",
            },
            ["data"] = new JsonObject
            {
                ["id"] = "1250000000000000000",
                ["name"] = command,
                ["type"] = 1,
                ["options"] = new JsonArray(new JsonObject { ["type"] = 1, ["name"] = subcommand, ["options"] = options }),
            },
        };
    }

}
