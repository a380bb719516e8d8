using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Tests.Models;

public class EmbedLimitsTests
{
    [Fact]
    public void Fit_WithinLimits_Unchanged()
    {
        var embed = new Embed { Title = "Amir Amiry — Released", Description = "Status changed: Detained -> Released", Fields = [new("Country", "Afghanistan", true)] };

        var fitted = EmbedLimits.Fit(embed, out var truncated);

        Assert.Equal(embed.Title, fitted.Title);
        Assert.Empty(truncated);
    }

    [Fact]
    public void Fit_EveryPartTooLong_EachCutToItsLimit()
    {
        var embed = new Embed
        {
            Title = new string('t', 300),
            Description = new string('d', 5000),
            Footer = new EmbedFooter(new string('f', 3000)),
            Author = new EmbedAuthor(new string('a', 300)),
            Fields = Enumerable.Range(0, 30).Select(i => new EmbedField(new string('n', 300), new string('v', 2000))).ToList(),
        };

        var fitted = EmbedLimits.Fit(embed, out var truncated);

        Assert.True(fitted.Title!.Length <= EmbedLimits.Title);
        Assert.True(fitted.Footer!.Text.Length <= EmbedLimits.FooterText);
        Assert.True(fitted.Author!.Name.Length <= EmbedLimits.AuthorName);
        Assert.Equal(EmbedLimits.Fields, fitted.Fields!.Count);
        Assert.All(fitted.Fields, f => Assert.True(f.Name.Length <= EmbedLimits.FieldName && f.Value.Length is > 0 and <= EmbedLimits.FieldValue));
        Assert.True(EmbedLimits.Length(fitted) <= EmbedLimits.Total, $"total {EmbedLimits.Length(fitted)}");
        Assert.Contains("title", truncated);
        Assert.Contains(truncated, t => t.StartsWith("total"));
        Assert.EndsWith("…", fitted.Title);
    }

    [Fact]
    public void Fit_BlankFieldValue_ReplacedBecauseDiscordRequiresIt()
    {
        var fitted = EmbedLimits.Fit(new Embed { Fields = [new("Held by", " ")] }, out _);

        Assert.Equal("-", fitted.Fields![0].Value);
    }

    [Fact]
    public void Truncate_SurrogatePairAtCut_NotSplit()
    {
        var text = new string('a', 8) + "😀" + "bbbb";

        var cut = EmbedLimits.Truncate(text, 10);

        Assert.True(cut.Length <= 10);
        Assert.False(char.IsHighSurrogate(cut[^2]));
    }
}
