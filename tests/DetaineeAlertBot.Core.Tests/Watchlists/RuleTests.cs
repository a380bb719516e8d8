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
