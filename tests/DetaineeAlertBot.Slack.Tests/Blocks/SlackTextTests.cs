using DetaineeAlertBot.Slack.Blocks;

namespace DetaineeAlertBot.Slack.Tests.Blocks;

public sealed class SlackTextTests
{
    [Theory]
    // Only Slack's three control characters change; ampersand first so entities are not double-escaped.
    [InlineData("Amir Amiry", "Amir Amiry")]
    [InlineData("<!channel> hi", "&lt;!channel&gt; hi")]
    [InlineData("<!here|here> <!everyone>", "&lt;!here|here&gt; &lt;!everyone&gt;")]
    [InlineData("<@U123>", "&lt;@U123&gt;")]
    [InlineData("Tom & Jerry", "Tom &amp; Jerry")]
    [InlineData("&lt;", "&amp;lt;")]
    [InlineData("\"quotes\" 'stay'", "\"quotes\" 'stay'")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Escape_Text_ReplacesOnlyControlCharacters(string? input, string expected)
    {
        Assert.Equal(expected, SlackText.Escape(input));
    }

    [Theory]
    // An http(s) URL becomes a link with an escaped label.
    [InlineData("https://example.org/case?id=1&x=2", "Source", "<https://example.org/case?id=1&amp;x=2|Source>")]
    // A pipe in the URL cannot end the target early.
    [InlineData("https://example.org/a|b", "Source", "<https://example.org/a%7Cb|Source>")]
    // The label is escaped and cannot smuggle a second link part.
    [InlineData("https://example.org/", "<!channel>|x", "<https://example.org/|&lt;!channel&gt;¦x>")]
    // Anything that is not http(s) is not linked.
    [InlineData("javascript:alert(1)", "Source", "Source")]
    [InlineData("slack://channel?id=C1", "Source", "Source")]
    [InlineData("not a url", "Source", "Source")]
    [InlineData(null, "Source", "Source")]
    public void Link_Url_IsSafe(string? url, string label, string expected)
    {
        Assert.Equal(expected, SlackText.Link(url, label));
    }

    [Theory]
    // Short text is unchanged.
    [InlineData("abc", 5, "abc")]
    // Long text ends in an ellipsis within the limit.
    [InlineData("abcdefghij", 5, "abcd…")]
    // An entity is never split: the whole &amp; goes.
    [InlineData("abc&amp;def", 6, "abc…")]
    // A link is never split.
    [InlineData("ab <https://x.org|y> cd", 10, "ab …")]
    public void Truncate_Text_CutsSafely(string text, int max, string expected)
    {
        var result = SlackText.Truncate(text, max);

        Assert.Equal(expected, result);
        Assert.True(result.Length <= max);
    }

    [Fact]
    public void Truncate_SurrogatePairAtCut_KeepsPairWhole()
    {
        var text = "ab" + "😀" + "cdef";

        var result = SlackText.Truncate(text, 4);

        Assert.Equal("ab…", result);
    }
}
