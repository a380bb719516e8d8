using System.Globalization;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Slack.Fake;

namespace DetaineeAlertBot.Bench.Cards;

/// <summary>
/// Card throughput: 20 cases watched by one carded channel; one change per case posts the 20 cards (not counted); then
/// <c>changes</c> status changes spread over the 20 cases, pushed in a few documents at once, each to become one card edit
/// and one reply. Timed from the first counted push to the fake's receipt of the last reply, and compared with the
/// platform's ceiling.
/// </summary>
internal static class CardThroughput
{
    private const int Cases = 20;
    private const string DiscordChannel = "645027906669510667";
    private const string SlackChannel = "C111";

    // Wire value and display name; consecutive entries differ, so a case moving one step on is always a change.
    private static readonly (string Wire, string Display)[] Statuses =
    [
        ("detained", "Detained"), ("charged", "Charged"), ("on_trial", "On trial"), ("convicted", "Convicted"),
        ("sentenced", "Sentenced"), ("released", "Released"), ("transferred", "Transferred"), ("acquitted", "Acquitted"),
    ];

    public sealed record Result(string Row, bool Pass);

    /// <summary>The plan: round 0 the baseline (no alert), round 1 the cards, then change k goes to case k % 20 in round
    /// 2 + k / 20. Status of case i after round r: Statuses[(i + r) % n].</summary>
    private sealed class Plan(int changes)
    {
        public int Changes { get; } = changes;

        public int Rounds => 2 + (Changes + Cases - 1) / Cases;

        /// <summary>How many rounds case i goes through (0 = baseline).</summary>
        public int LastRound(int i) => 1 + Enumerable.Range(0, Changes).Count(k => k % Cases == i);

        public static (string Wire, string Display) Status(int i, int round) => Statuses[(i + round) % Statuses.Length];

        /// <summary>The document of one round: every case at its status after that round (cases without a change in it stay).</summary>
        public IReadOnlyList<(string Id, string Name, string Status)> Document(int round) =>
            Enumerable.Range(0, Cases).Select(i => (CardBot.Id(i), CardBot.Name(i), Status(i, Math.Min(round, LastRound(i))).Wire)).ToArray();

        /// <summary>The counted transitions of case i, in order: "Old → New".</summary>
        public IReadOnlyList<string> Transitions(int i) =>
            Enumerable.Range(2, LastRound(i) - 1).Select(r => $"{Status(i, r - 1).Display} → {Status(i, r).Display}").ToArray();

        public string FinalTitle(int i) => $"{CardBot.Name(i)} — {Status(i, LastRound(i)).Display}";
    }

    public static async Task<Result> RunDiscordAsync(int changes)
    {
        Console.WriteLine();
        Console.WriteLine($"## Discord throughput: {Cases} cards in one channel, {changes} changes (edit + reply each)");
        var plan = new Plan(changes);
        await using var fake = await FakeDiscordServer.StartAsync();
        fake.ChannelMessageLimit = 5;
        fake.ChannelMessageWindow = TimeSpan.FromSeconds(5);
        fake.GlobalLimitPerSecond = 50;
        await using var bot = await CardBot.StartAsync("discord", DiscordChannel, Cases,
        [
            $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:ApiBaseUrl={fake.ApiBaseUrl}",
            $"--Discord:PublicKey={fake.PublicKeyHex}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}",
            "--Discord:UseGateway=false",
        ]);

        await PostCardsAsync(bot, plan, () => fake.Messages.Count(m => m.ChannelId == DiscordChannel));
        var cards = fake.Messages.Where(m => m.ChannelId == DiscordChannel && m.Reference is null).ToArray();
        var cardOf = Enumerable.Range(0, Cases).ToDictionary(i => i, i => cards.Single(c => Title(c.Body).StartsWith(CardBot.Name(i) + " —", StringComparison.Ordinal)).Id);

        // Start the counted run with a fresh channel bucket: the cards' posts used it (a wait on the bucket's own clock).
        var lastCardRequest = fake.Requests.Max(r => r.ReceivedAt);
        var fresh = lastCardRequest + fake.ChannelMessageWindow - DateTimeOffset.UtcNow;
        if (fresh > TimeSpan.Zero) await Task.Delay(fresh);
        var requestsBefore = fake.Requests.Count;
        var tooManyBefore = fake.RateLimitedCount;

        var started = DateTimeOffset.UtcNow;
        for (var round = 2; round < plan.Rounds; round++) await bot.PushAsync(plan.Document(round));
        var pushed = DateTimeOffset.UtcNow - started;

        bool FakeDone()
        {
            var replies = fake.Messages.Count(m => m.ChannelId == DiscordChannel && m.Reference is not null);
            return replies >= changes && Enumerable.Range(0, Cases).All(i => fake.FindMessage(cardOf[i]) is { } card && Title(card.Body) == plan.FinalTitle(i));
        }

        await Until.TrueAsync(async () => FakeDone() && await bot.OutboxAsync() is { Pending: 0, Sending: 0 } stats && stats.Delivered >= Cases + changes,
            TimeSpan.FromMinutes(15), "every change delivered (outbox and fake)", pollMs: 20);

        var requests = fake.Requests.Skip(requestsBefore).Where(r => r.Path.Contains("/channels/", StringComparison.Ordinal)).ToArray();
        var messages = fake.Messages.Where(m => m.ChannelId == DiscordChannel).ToArray();
        var replyMessages = messages.Where(m => m.Reference is not null).ToArray();
        var edits = fake.Edits.Where(e => e.ChannelId == DiscordChannel && e.At >= started).ToArray();
        var lastReply = replyMessages.Max(m => m.CreatedAt);
        var measured = (lastReply - started).TotalSeconds;
        var outbox = await bot.OutboxAsync();

        var problems = new List<string>();
        if (messages.Length - replyMessages.Length != Cases) problems.Add($"{messages.Length - replyMessages.Length} cards, expected {Cases}");
        if (replyMessages.Length != changes) problems.Add($"{replyMessages.Length} replies, expected {changes}");
        if (edits.Length != changes) problems.Add($"{edits.Length} edits, expected {changes}");
        if (outbox is not { Pending: 0, Sending: 0, Waiting: 0, Dead: 0 } || outbox.Delivered != Cases + changes) problems.Add($"outbox {outbox}");
        for (var i = 0; i < Cases; i++)
        {
            var card = fake.FindMessage(cardOf[i])!;
            if (Title(card.Body) != plan.FinalTitle(i)) problems.Add($"card {i}: '{Title(card.Body)}', expected '{plan.FinalTitle(i)}'");
            var got = replyMessages.Where(m => (string?)m.Reference!["message_id"] == cardOf[i])
                .Select(m => ((string?)m.Body["embeds"]?[0]?["description"] ?? "").Replace("\\", "", StringComparison.Ordinal)).ToArray();
            var expected = plan.Transitions(i);
            if (got.Length != expected.Count || !got.Zip(expected).All(p => p.First.Contains(p.Second, StringComparison.Ordinal)))
            {
                problems.Add($"card {i}: replies [{string.Join(" | ", got)}], expected [{string.Join(" | ", expected)}]");
            }

            var editCount = edits.Count(e => e.MessageId == cardOf[i]);
            if (editCount != expected.Count) problems.Add($"card {i}: {editCount} edits, expected {expected.Count}");
            if (card.Body["components"] is null) problems.Add($"card {i}: buttons gone after the edits");
        }

        var accepted = requests.Count(r => r.Status is 200);
        var tooMany = fake.RateLimitedCount;
        var other = requests.Count(r => r.Status is not (200 or 429));
        var ceiling = (edits.Length + replyMessages.Length) / (fake.ChannelMessageLimit / fake.ChannelMessageWindow.TotalSeconds);
        var utilisation = ceiling / measured;
        Console.WriteLine($"pushed {plan.Rounds - 2} documents in {pushed.TotalMilliseconds:0} ms; first counted push -> last reply received: {measured:0.00} s");
        Console.WriteLine($"requests: {edits.Length} edits + {replyMessages.Length} replies = {edits.Length + replyMessages.Length} accepted ({accepted} 200s on channel routes), "
            + $"{tooMany} 429s in the whole run ({tooMany - tooManyBefore} in the counted part), {other} other statuses");
        Console.WriteLine($"ceiling {fake.ChannelMessageLimit} per {fake.ChannelMessageWindow.TotalSeconds:0} s shared by edits and replies: {ceiling:0.0} s "
            + $"-> {utilisation:P1} of the ceiling (fixed windows let the last window's requests land up to one window early, so > 100% is possible)");
        var floor = (Math.Ceiling((edits.Length + replyMessages.Length) / (double)fake.ChannelMessageLimit) - 1) * fake.ChannelMessageWindow.TotalSeconds;
        Console.WriteLine($"strict floor of the fixed window from the first request: {floor:0.0} s -> {floor / measured:P1} of it");
        Console.WriteLine($"checked: {Cases} cards each edited to its last status with its buttons, {replyMessages.Length} replies each pointing at its card in change order; outbox {outbox}");
        foreach (var p in problems.Take(10)) Console.WriteLine($"MISMATCH {p}");
        var pass = problems.Count == 0 && tooMany <= 1 && utilisation >= 0.9;
        Console.WriteLine(pass ? "ok" : "NOT OK");
        return new Result(
            $"discord throughput | {changes} changes | {measured:0.0} s (ceiling {ceiling:0.0} s) | {utilisation:P1} of ceiling, {floor / measured:P1} of strict floor | {edits.Length}+{replyMessages.Length} requests | 429s {tooMany} | {(problems.Count == 0 ? "all checked" : $"{problems.Count} MISMATCHES")} | {(pass ? "ok" : "NOT OK")}",
            pass);
    }

    public static async Task<Result> RunSlackAsync(int changes)
    {
        Console.WriteLine();
        Console.WriteLine($"## Slack throughput: {Cases} cards in one channel, {changes} changes (chat.update + broadcast thread reply each)");
        var plan = new Plan(changes);
        await using var slack = await FakeSlackServer.StartAsync();
        slack.PerChannelInterval = TimeSpan.FromSeconds(1);
        slack.UpdatesPerMinute = 50;
        await using var bot = await CardBot.StartAsync("slack", SlackChannel, Cases,
            [$"--Slack:BotToken={FakeSlackServer.DefaultBotToken}", $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}"]);

        await PostCardsAsync(bot, plan, () => slack.ChannelMessages(SlackChannel).Count);
        var cards = slack.ChannelMessages(SlackChannel).Where(m => m.ThreadTs is null).ToArray();
        var cardOf = Enumerable.Range(0, Cases).ToDictionary(i => i, i => cards.Single(c => Header(c).StartsWith(CardBot.Name(i) + " —", StringComparison.Ordinal)).Ts);

        // The cards' posts used the channel's 1 s interval: start when it has passed.
        var fresh = slack.Messages.Max(m => m.ReceivedAt) + slack.PerChannelInterval!.Value - DateTimeOffset.UtcNow;
        if (fresh > TimeSpan.Zero) await Task.Delay(fresh);
        var tooManyBefore = slack.RateLimitedCount;

        var started = DateTimeOffset.UtcNow;
        for (var round = 2; round < plan.Rounds; round++) await bot.PushAsync(plan.Document(round));
        var pushed = DateTimeOffset.UtcNow - started;

        bool FakeDone()
        {
            var replies = slack.Messages.Count(m => m.Channel == SlackChannel && m.ThreadTs is not null);
            return replies >= changes && Enumerable.Range(0, Cases).All(i => slack.Message(SlackChannel, cardOf[i]) is { } card && Header(card) == plan.FinalTitle(i));
        }

        await Until.TrueAsync(async () => FakeDone() && await bot.OutboxAsync() is { Pending: 0, Sending: 0 } stats && stats.Delivered >= Cases + changes,
            TimeSpan.FromMinutes(15), "every change delivered (outbox and fake)", pollMs: 20);

        var replyMessages = slack.Messages.Where(m => m.Channel == SlackChannel && m.ThreadTs is not null).ToArray();
        var edits = slack.Edits.Where(e => e.Channel == SlackChannel && !e.ViaResponseUrl && e.At >= started).ToArray();
        var lastReply = replyMessages.Max(m => m.ReceivedAt);
        var measured = (lastReply - started).TotalSeconds;
        var outbox = await bot.OutboxAsync();
        var visible = slack.ChannelMessages(SlackChannel);

        var problems = new List<string>();
        if (cards.Length != Cases) problems.Add($"{cards.Length} cards, expected {Cases}");
        if (replyMessages.Length != changes) problems.Add($"{replyMessages.Length} replies, expected {changes}");
        if (edits.Length != changes) problems.Add($"{edits.Length} chat.update edits, expected {changes}");
        if (visible.Count != Cases + changes) problems.Add($"{visible.Count} messages visible in the channel, expected {Cases + changes} (cards + broadcast replies)");
        if (outbox is not { Pending: 0, Sending: 0, Waiting: 0, Dead: 0 } || outbox.Delivered != Cases + changes) problems.Add($"outbox {outbox}");
        for (var i = 0; i < Cases; i++)
        {
            var card = slack.Message(SlackChannel, cardOf[i])!;
            if (Header(card) != plan.FinalTitle(i)) problems.Add($"card {i}: '{Header(card)}', expected '{plan.FinalTitle(i)}'");
            var thread = slack.ThreadReplies(SlackChannel, cardOf[i]);
            var got = thread.Select(r => r.Text ?? "").ToArray();
            var expected = plan.Transitions(i);
            if (got.Length != expected.Count || !got.Zip(expected).All(p => p.First.Contains(p.Second, StringComparison.Ordinal)) || thread.Any(r => !r.ReplyBroadcast))
            {
                problems.Add($"card {i}: replies [{string.Join(" | ", got)}], expected [{string.Join(" | ", expected)}] broadcast");
            }

            var editCount = edits.Count(e => e.Ts == cardOf[i]);
            if (editCount != expected.Count) problems.Add($"card {i}: {editCount} edits, expected {expected.Count}");
            if (!card.Blocks!.Value.EnumerateArray().Any(b => b.GetProperty("type").GetString() == "actions")) problems.Add($"card {i}: buttons gone after the edits");
        }

        var tooMany = slack.RateLimitedCount;
        var replyCeiling = replyMessages.Length * slack.PerChannelInterval!.Value.TotalSeconds;
        var editCeiling = edits.Length / (slack.UpdatesPerMinute!.Value / 60.0);
        var ceiling = Math.Max(replyCeiling, editCeiling);
        var utilisation = ceiling / measured;
        Console.WriteLine($"pushed {plan.Rounds - 2} documents in {pushed.TotalMilliseconds:0} ms; first counted push -> last reply received: {measured:0.00} s");
        Console.WriteLine($"requests: {edits.Length} chat.update + {replyMessages.Length} chat.postMessage replies = {edits.Length + replyMessages.Length}; "
            + $"{tooMany} 429s in the whole run ({tooMany - tooManyBefore} in the counted part)");
        Console.WriteLine($"ceiling max({replyMessages.Length} replies x 1 s = {replyCeiling:0.0} s, {edits.Length} edits / 50 per min = {editCeiling:0.0} s) = {ceiling:0.0} s "
            + $"-> {utilisation:P1} of the ceiling (a sliding minute lets the first 50 edits through at once, so > 100% is possible)");
        string At(IEnumerable<DateTimeOffset> times) => string.Join(" ", times.Order().Select((t, k) => (t, k)).Where(p => p.k is 0 or 9 or 24 or 49 or 50 or 74 or 99)
            .Select(p => $"#{p.k + 1}@{(p.t - started).TotalSeconds:0.0}"));
        Console.WriteLine($"timeline (s after the first push): edits {At(edits.Select(e => e.At))}; replies {At(replyMessages.Select(m => m.ReceivedAt))}");
        var floor = Math.Max((replyMessages.Length - 1) * slack.PerChannelInterval!.Value.TotalSeconds, 60.0 * Math.Floor((edits.Length - 1) / (double)slack.UpdatesPerMinute!.Value));
        Console.WriteLine($"strict floor (reply n no sooner than n-1 s after the first, edit k no sooner than edit k-50 + 60 s): {floor:0.0} s -> {floor / measured:P1} of it");
        Console.WriteLine($"checked: {Cases} cards each edited to its last status with its buttons, {replyMessages.Length} broadcast replies in each card's thread in change order; outbox {outbox}");
        foreach (var p in problems.Take(10)) Console.WriteLine($"MISMATCH {p}");
        var pass = problems.Count == 0 && tooMany <= 1 && utilisation >= 0.9;
        Console.WriteLine(pass ? "ok" : "NOT OK");
        return new Result(
            $"slack throughput   | {changes} changes | {measured:0.0} s (ceiling {ceiling:0.0} s) | {utilisation:P1} of ceiling, {floor / measured:P1} of strict floor | {edits.Length}+{replyMessages.Length} requests | 429s {tooMany} | {(problems.Count == 0 ? "all checked" : $"{problems.Count} MISMATCHES")} | {(pass ? "ok" : "NOT OK")}",
            pass);
    }

    /// <summary>Baseline (round 0), then the cards (round 1): waits until the catalog has the cases and every card is posted.</summary>
    private static async Task PostCardsAsync(CardBot bot, Plan plan, Func<int> cardsInFake)
    {
        await bot.PushAsync(plan.Document(0));
        await Until.TrueAsync(() => bot.CatalogCount >= Cases + 1, TimeSpan.FromSeconds(60), "the baseline in the catalog");
        var before = (await bot.OutboxAsync()).Delivered;
        if (before != 0) throw new InvalidOperationException($"the baseline delivered {before} alerts; expected none");
        await bot.PushAsync(plan.Document(1));
        await Until.TrueAsync(async () => cardsInFake() >= Cases && await bot.OutboxAsync() is { Pending: 0, Sending: 0, Delivered: Cases },
            TimeSpan.FromMinutes(3), $"the {Cases} cards posted", pollMs: 20);
        Console.WriteLine($"{Cases} cards posted (not counted)");
    }

    private static string Title(System.Text.Json.Nodes.JsonObject body) => (string?)body["embeds"]?[0]?["title"] ?? "";

    private static string Header(FakeMessageSnapshot message) =>
        message.Blocks is { } blocks && blocks.GetArrayLength() > 0 ? blocks[0].GetProperty("text").GetProperty("text").GetString() ?? "" : "";

    internal static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}
