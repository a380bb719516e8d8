using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Slack.Fake;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DetaineeAlertBot.Bench.Slack;

/// <summary>
/// Slash-command latency of the real host with a large catalog: the fake Slack sends slash-command envelopes over
/// Socket Mode and times each one from sending to receiving its ack; the same commands also go to
/// POST /slack/commands (signed) and are timed from request to response. Pass: Socket Mode median under 50 ms.
/// </summary>
public sealed class SlackCommandsBench : IBenchCommand
{
    private const string SigningSecret = "bench-fake-signing-secret";

    public string Name => "slack-commands";

    public string Description => "slash command receipt-to-ack latency (Socket Mode and HTTP) with a large catalog [--cases N] [--commands N]";

    public async Task<int> RunAsync(string[] args)
    {
        var caseCount = BenchArgs.Int(args, "--cases", 100_000);
        var commandCount = BenchArgs.Int(args, "--commands", 400);
        await using var slack = await FakeSlackServer.StartAsync();
        await using var bot = await LargeCatalogBot.StartAsync("slack-commands", caseCount,
        [
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}",
            $"--Slack:AppToken={FakeSlackServer.DefaultAppToken}",
            $"--Slack:SigningSecret={SigningSecret}",
            $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
        ]);
        var cases = bot.Cases.ToArray();
        Console.WriteLine($"{cases.Length:N0} cases loaded in {bot.LoadTime.TotalSeconds:0.0} s");
        var socket = await slack.WaitForSocketAsync(0, TimeSpan.FromSeconds(60));
        var http = bot.Http;

        var random = new Random(42);
        var texts = Enumerable.Range(0, commandCount + 20).Select(_ => Query(random, cases)).ToArray();

        // Warm up both paths (JIT, connection pools), then measure.
        for (var i = 0; i < 20; i++)
        {
            await SocketCommandAsync(socket, $"warm-{i}", texts[i]);
            await HttpCommandAsync(http, texts[i]);
        }

        var socketMs = new List<double>();
        var httpMs = new List<double>();
        var deferred = 0;
        var exactLookups = 0;
        var exactFound = 0;
        for (var i = 20; i < texts.Length; i++)
        {
            var (latency, text) = await SocketCommandAsync(socket, $"env-{i}", texts[i]);
            socketMs.Add(latency.TotalMilliseconds);
            deferred += text.StartsWith("Working on it", StringComparison.Ordinal) ? 1 : 0;
            if (texts[i].StartsWith("/case lookup ", StringComparison.Ordinal) && cases.Any(c => c.Name == texts[i]["/case lookup ".Length..]))
            {
                // Sanity check that lookups really search: an exact name must come back in the answer.
                exactLookups++;
                exactFound += text.Contains(texts[i]["/case lookup ".Length..], StringComparison.Ordinal) ? 1 : 0;
            }

            httpMs.Add((await HttpCommandAsync(http, texts[i])).TotalMilliseconds);
        }

        Console.WriteLine($"{commandCount} commands each way (lookups with typos and partial names, history, help, watchlist list); {deferred} deferred to response_url");
        Console.WriteLine($"sanity: {exactFound}/{exactLookups} exact-name lookups answered with that name");
        Stats.Report("Socket Mode, envelope sent -> ack received", socketMs);
        Stats.Report("HTTP, signed POST /slack/commands -> response", httpMs);
        var pass = Stats.Median(socketMs) < 50;
        Console.WriteLine(pass ? "PASS (Socket Mode median < 50 ms)" : "FAIL (Socket Mode median >= 50 ms)");

        return pass ? 0 : 1;
    }

    private static async Task<(TimeSpan Latency, string Text)> SocketCommandAsync(FakeSocket socket, string envelopeId, string text)
    {
        var (command, rest) = Split(text);
        await socket.SendSlashCommandAsync(envelopeId, command, rest, userId: "UBENCH", channelId: "CBENCH");
        var ack = await socket.WaitForAckAsync(envelopeId, TimeSpan.FromSeconds(30));
        var reply = ack.TryGetProperty("payload", out var payload) ? payload.GetProperty("text").GetString() ?? "" : "";
        return (socket.AckLatency(envelopeId) ?? TimeSpan.MaxValue, reply);
    }

    private static async Task<TimeSpan> HttpCommandAsync(HttpClient http, string text)
    {
        var (command, rest) = Split(text);
        var body = $"team_id=T111&channel_id=CBENCH&user_id=UBENCH&user_name=bench&command={Uri.EscapeDataString(command)}"
            + $"&text={Uri.EscapeDataString(rest)}&api_app_id=A111&response_url=https%3A%2F%2Fhooks.slack.invalid%2Fcommands%2F1";
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), Encoding.UTF8.GetBytes($"v0:{ts}:{body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/slack/commands")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", signature);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = Stopwatch.GetElapsedTime(started);
        response.EnsureSuccessStatusCode();
        return elapsed;
    }

    // A realistic mix: mostly lookups of real names (some misspelt or partial), some history, help and list.
    private static string Query(Random random, CaseRecord[] cases)
    {
        var name = cases[random.Next(cases.Length)].Name;
        return random.Next(10) switch
        {
            < 5 => $"/case lookup {name}",
            5 => $"/case lookup {Typo(random, name)}",
            6 => $"/case lookup {name.Split(' ')[^1]}",
            7 => $"/case history {name}",
            8 => "/case help",
            _ => "/watchlist list",
        };
    }

    private static string Typo(Random random, string name)
    {
        if (name.Length < 4)
        {
            return name;
        }

        var i = random.Next(1, name.Length - 1);
        return string.Concat(name.AsSpan(0, i), name.AsSpan(i + 1));
    }

    private static (string Command, string Text) Split(string line)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        return (line[..space], line[(space + 1)..]);
    }

}
