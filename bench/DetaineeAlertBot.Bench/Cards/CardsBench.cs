namespace DetaineeAlertBot.Bench.Cards;

/// <summary>
/// Case cards (issue 12), both platforms, one after the other so each has the machine:
/// 1. throughput: 20 carded cases in one channel, 100 status changes pushed in 5 documents, until every card is edited to
///    its last status and every reply is there; time vs the platform's ceiling (Discord's channel bucket shared by edits and
///    replies; Slack's 1 post/s per channel and chat.update's 50/min), at most one 429 per platform;
/// 2. click latency with 100,000 cases loaded: the acknowledgement toggle alternating with History, over the signed HTTP
///    endpoints (Discord: until the inline answer; Slack: until the 200, and until chat.update of the card reaches the fake).
/// Targets: ≥ 90% of the ceiling, click median under 50 ms. A count mismatch fails the run.
/// </summary>
public sealed class CardsBench : IBenchCommand
{
    public string Name => "cards";

    public string Description => "case cards: edit+reply throughput vs the platforms' limits, click latency with 100k cases "
        + "[--part all|throughput|clicks] [--platform all|discord|slack] [--changes N] [--clicks N] [--catalog N] [--slack-click-interval-ms N]";

    public async Task<int> RunAsync(string[] args)
    {
        var part = BenchArgs.String(args, "--part", "all");
        var platform = BenchArgs.String(args, "--platform", "all");
        var changes = BenchArgs.Int(args, "--changes", 100);
        var clicks = BenchArgs.Int(args, "--clicks", 200);
        var catalog = BenchArgs.Int(args, "--catalog", 100_000);
        var slackInterval = TimeSpan.FromMilliseconds(BenchArgs.Int(args, "--slack-click-interval-ms", 650));
        var rows = new List<string>();
        var pass = true;

        if (part is "all" or "throughput")
        {
            if (platform is "all" or "discord")
            {
                var r = await CardThroughput.RunDiscordAsync(changes);
                rows.Add(r.Row);
                pass &= r.Pass;
            }

            if (platform is "all" or "slack")
            {
                var r = await CardThroughput.RunSlackAsync(changes);
                rows.Add(r.Row);
                pass &= r.Pass;
            }
        }

        if (part is "all" or "clicks")
        {
            if (platform is "all" or "discord")
            {
                var r = await CardClickLatency.RunDiscordAsync(catalog, clicks);
                rows.AddRange(r.Rows);
                pass &= r.Pass;
            }

            if (platform is "all" or "slack")
            {
                var r = await CardClickLatency.RunSlackAsync(catalog, clicks, slackInterval);
                rows.AddRange(r.Rows);
                pass &= r.Pass;
            }
        }

        Console.WriteLine();
        Console.WriteLine("## summary");
        foreach (var row in rows) Console.WriteLine(row);
        Console.WriteLine(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }
}
