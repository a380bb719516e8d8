using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Tests.Watchlists;

public sealed class RuleTests
{
    [Theory]
    [InlineData("Iran", "IR")]
    [InlineData("ir", "IR")]
    [InlineData("IRN", "IR")]
    [InlineData("Islamic Republic of Iran", "IR")]
    [InlineData("ایران", "IR")]
    [InlineData("United States", "US")]
    [InlineData("USA", "US")]
    [InlineData("U.S.", "US")]
    [InlineData("Türkiye", "TR")]
    [InlineData("turkiye", "TR")]
    [InlineData("Russia", "RU")]
    [InlineData("Россия", "RU")]
    public void Countries_NamesAndIsoCodes_MeetOnOneCode(string text, string code) => Assert.Equal(code, Countries.Code(text));

    [Fact]
    public void Countries_UnknownNames_CompareAsFoldedText_AndNothingMatchesNothing()
    {
        Assert.True(Countries.Same("Gaza Strip", "gaza  strip"));
        Assert.False(Countries.Same("Iran", "Iraq"));
        Assert.False(Countries.Same(null, null));
        Assert.False(Countries.Same("Iran", ""));
    }

    [Fact]
    public void Rule_MatchesAllOfItsFields_CaseAndAccentInsensitive_StatusFromItsList()
    {
        var rule = new WatchRule(1, "slack", "C1", "IR", "us", "revolutionary guards", null, [CaseStatus.Detained, CaseStatus.Charged], "admin", TestData.Now);
        var record = TestData.Case("a", CaseStatus.Detained) with { Country = "Iran", Nationality = "United States", HeldBy = "Revolutionary Guards" };

        Assert.True(rule.Matches(record));
        Assert.False(rule.Matches(record with { Status = CaseStatus.Released }));
        Assert.False(rule.Matches(record with { Nationality = "UK" }));
        Assert.False(rule.Matches(record with { HeldBy = null }));
        Assert.Equal("country IR · nationality us · held by revolutionary guards · status detained, charged", rule.Describe());
    }

    [Fact]
    public void RuleSet_ACaseMatchedByTwoEntriesOfAChannel_NamesTheChannelOnce_AndMatchesBeforeOrAfter()
    {
        var rules = new RuleSet(
        [
            new WatchRule(1, "slack", "C1", "Iran", null, null, null, [], "a", TestData.Now),
            new WatchRule(2, "slack", "C1", null, null, null, null, [CaseStatus.Detained], "a", TestData.Now),
            new WatchRule(3, "discord", "9", null, null, null, null, [CaseStatus.Detained], "a", TestData.Now),
        ]);
        var before = TestData.Case("a", CaseStatus.Detained) with { Country = "Iran" };

        Assert.Equal([("discord", "9"), ("slack", "C1")], rules.ChannelsFor(before, before with { Status = CaseStatus.Released }).Order());
        Assert.Equal([("slack", "C1")], rules.ChannelsFor(before with { Status = CaseStatus.Released }));
    }

    [Fact]
    public void RuleSet_FindsWhatCheckingEveryRuleInOrderFinds_InTheSameOrder()
    {
        // Each rule checked against each state in turn, a channel kept at its first matching rule: what the set must give.
        static List<(string, string)> EveryRule(IReadOnlyList<WatchRule> rules, params CaseRecord[] states)
        {
            var channels = new HashSet<(string, string)>();
            foreach (var rule in rules)
            {
                if (states.Any(rule.Matches)) channels.Add((rule.Platform, rule.ChannelId));
            }
            return [.. channels];
        }

        // Compared as text: Assert.Equal would compare tuples with their culture-aware CompareTo, to which two ids
        // differing by an ignorable character are equal.
        static void Same(IEnumerable<(string, string)> expected, IEnumerable<(string, string)> actual) =>
            Assert.Equal(string.Join(" ", expected), string.Join(" ", actual));

        var rng = new Random(13);
        string?[] countries = [null, "Iran", "IR", "Islamic Republic of Iran", "Russia", "RU", "Gaza Strip", "gaza  strip", "Türkiye"];
        string?[] nationalities = [null, "US", "United States", "GB", "Iran"];
        string?[] holders = [null, "Revolutionary Guards", "revolutionary-guards", "FSB"];
        string?[] sources = [null, "feed", "other"];
        // "C\u00AD1" differs from "C1" only by a soft hyphen, which a culture's comparison may ignore: the set must then
        // keep the order Order() gives, ties and all.
        (string, string)[] channels = [("slack", "C1"), ("slack", "C2"), ("slack", "c1"), ("discord", "10"), ("discord", "9"), ("slack", "C\u00AD1")];
        T Any<T>(T[] values) => values[rng.Next(values.Length)];
        var rules = new List<WatchRule>();
        for (var i = 0; i < 300; i++)
        {
            var (platform, channel) = Any(channels);
            var statuses = CaseStatuses.All.Where(_ => rng.Next(6) == 0).ToArray();
            var rule = new WatchRule(i, platform, channel, Any(countries), Any(nationalities), Any(holders), Any(sources), statuses, "a", TestData.Now);
            if (!rule.IsEmpty) rules.Add(rule);
        }
        var set = new RuleSet(rules);
        for (var i = 0; i < 500; i++)
        {
            var before = TestData.Case($"c{i}", Any(CaseStatuses.All.ToArray()), source: Any(sources) ?? "feed") with
            {
                Country = Any(countries), Nationality = Any(nationalities), HeldBy = Any(holders),
            };
            var after = before with { Status = Any(CaseStatuses.All.ToArray()) };
            var subset = rules.Where((_, k) => k % (1 + (i % 7)) == 0).ToList();
            var fewer = new RuleSet(subset);

            Same(EveryRule(rules, before, after), set.ChannelsFor(before, after));
            Same(EveryRule(rules, after), set.ChannelsFor(after));
            Same(EveryRule(rules, before, after).Order(), set.OrderedChannelsFor(before, after));
            Same(EveryRule(subset, before, after), fewer.ChannelsFor(before, after));
            Same(EveryRule(subset, before, after).Order(), fewer.OrderedChannelsFor(before, after));
        }
        Assert.Empty(new RuleSet([]).OrderedChannelsFor(TestData.Case("a")));

        // Two ids the comparison finds equal, the one listed first matched by a later rule: Order() keeps them as matched.
        WatchRule[] tied =
        [
            new(1, "slack", "C1", "Iran", null, null, null, [], "a", TestData.Now),
            new(2, "slack", "C\u00AD1", null, null, null, null, [CaseStatus.Detained], "a", TestData.Now),
            new(3, "slack", "C1", null, null, null, null, [CaseStatus.Detained], "a", TestData.Now),
        ];
        var detained = TestData.Case("t", CaseStatus.Detained);
        Same(EveryRule(tied, detained).Order(), new RuleSet(tied).OrderedChannelsFor(detained));
    }

    [Theory]
    [InlineData("country:Iran status:detained, charged", "Iran", "detained, charged", "")]
    [InlineData("COUNTRY:North Korea held_by:Ministry of State Security", "North Korea", null, "")]
    [InlineData("Iran country:Iraq", "Iraq", null, "Iran")]
    [InlineData("country: Iran", "Iran", null, "")]
    public void KeyValueText_AValueRunsToTheNextKnownKey(string text, string? country, string? status, string stray)
    {
        var values = KeyValueText.Parse(text, ["country", "status", "held_by"], out var unparsed);

        Assert.Equal(country, values.GetValueOrDefault("country"));
        Assert.Equal(status, values.GetValueOrDefault("status"));
        Assert.Equal(stray, unparsed);
    }
}

public sealed class MuteTests
{
    [Theory]
    [InlineData("30m", 30)]
    [InlineData("24h", 24 * 60)]
    [InlineData("7D", 7 * 24 * 60)]
    [InlineData("1m", 1)]
    [InlineData("90d", 90 * 24 * 60)]
    public void MuteDuration_ANumberAndAUnit_FromAMinuteTo90Days(string text, int minutes)
    {
        Assert.True(MuteDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMinutes(minutes), duration);
    }

    [Theory]
    [InlineData("0m")]
    [InlineData("91d")]
    [InlineData("24")]
    [InlineData("h")]
    [InlineData("2w")]
    [InlineData("-5m")]
    [InlineData(null)]
    public void MuteDuration_AnythingElse_IsRefused(string? text) => Assert.False(MuteDuration.TryParse(text, out _));

    [Fact]
    public async Task MuteSummaries_AnEndedMute_IsSummarizedOnce_LatestFirst_AndAnEmptyOneSilently()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Now);
        var cards = new Fakes.InMemoryCardStore();
        var outbox = new Fakes.InMemoryAlertOutbox(time);
        var catalog = TestData.Catalog(null, TestData.Stored(TestData.Case("a", CaseStatus.Released, name: "Amir Amiry")));
        var summaries = new Core.Cards.MuteSummaries(cards, outbox, catalog, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<Core.Cards.MuteSummaries>.Instance);
        var key = new CaseKey("feed", "a");
        await cards.MuteAsync(new Core.Cards.CaseMute("slack", "C1", key, TestData.Now.AddHours(1), "U1", "Dana", TestData.Now), CancellationToken.None);
        await cards.MuteAsync(new Core.Cards.CaseMute("slack", "C2", key, TestData.Now.AddHours(1), "U1", "Dana", TestData.Now), CancellationToken.None);
        var first = TestData.Case("a", CaseStatus.Charged, name: "Amir Amiry");
        var withheld = new[]
        {
            new AlertMessage("d2", "slack", "C1", first with { Status = CaseStatus.Released }, CaseStatus.Charged, CaseStatus.Released, TestData.Now.AddMinutes(20), 1),
            new AlertMessage("d1", "slack", "C1", first, CaseStatus.Detained, CaseStatus.Charged, TestData.Now.AddMinutes(10), 1),
        };

        var report = summaries.Summary(new Core.Cards.CaseMute("slack", "C1", key, TestData.Now.AddHours(1), "U1", "Dana", TestData.Now), withheld);
        time.Advance(TimeSpan.FromHours(2));
        var queued = await summaries.RunOnceAsync(CancellationToken.None);
        var again = await summaries.RunOnceAsync(CancellationToken.None);

        Assert.Equal("While Amir Amiry was muted (2026-11-22 10:04 UTC – 2026-11-22 11:04 UTC): 2 changes", report.Title);
        Assert.Equal(["Amir Amiry: Detained → Charged → Released (latest 2026-11-22 10:24 UTC)"], report.Lines);
        Assert.Equal(0, queued); // nothing was withheld in the fake outbox: no empty summary
        Assert.Equal(0, again);
        Assert.Empty(await cards.ListEndedUnsummarizedAsync(time.GetUtcNow(), 10, CancellationToken.None));
    }
}
