using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;

namespace DetaineeAlertBot.Tests.Slack;

public sealed class SlackCommandParsingTests
{
    [Theory]
    // The first word is the subcommand, the rest is the query, spaces normalised.
    [InlineData("/case", "lookup amir amiri", "case", "lookup", "amir amiri", false)]
    [InlineData("/case", "  LOOKUP   Amir   Amiri ", "case", "lookup", "Amir Amiri", false)]
    [InlineData("/case", "history af-2024-0012", "case", "history", "af-2024-0012", false)]
    [InlineData("/watchlist", "add amiry", "watchlist", "add", "amiry", false)]
    [InlineData("/watchlist", "remove amiry", "watchlist", "remove", "amiry", false)]
    [InlineData("/watchlist", "list", "watchlist", "list", null, false)]
    // Options as key:value words, as Slack users type them from the contract's examples.
    [InlineData("/watchlist", "style style:plain", "watchlist", "style", "plain", false)]
    [InlineData("/case", "update query:Amir Amiry", "case", "update", "Amir Amiry", false)]
    [InlineData("/case", "add", "case", "add", null, false)]
    [InlineData("/watchlist", "follow country:Iran status:detained, charged", "watchlist", "follow", "country:Iran status:detained, charged", false)]
    [InlineData("/watchlist", "unfollow rule:3", "watchlist", "unfollow", "3", false)]
    // Empty text is help.
    [InlineData("/case", "", "case", "help", null, false)]
    [InlineData("/case", "help", "case", "help", null, false)]
    // --share makes a lookup public, wherever it is; other subcommands stay private.
    [InlineData("/case", "lookup amir --share", "case", "lookup", "amir", true)]
    [InlineData("/case", "lookup --SHARE amir", "case", "lookup", "amir", true)]
    [InlineData("/watchlist", "list --share", "watchlist", "list", null, false)]
    // Mentions typed by the user are just query text here; replies escape them.
    [InlineData("/case", "lookup <!channel>", "case", "lookup", "<!channel>", false)]
    public void Parse_KnownInput_GivesRequest(string command, string text, string name, string subcommand, string? query, bool share)
    {
        var parsed = SlackCommandHandler.Parse(command, text);

        Assert.NotNull(parsed);
        Assert.Equal(name, parsed.Value.Request.Command);
        Assert.Equal(subcommand, parsed.Value.Request.Subcommand);
        Assert.Equal(query, parsed.Value.Request.Query);
        Assert.Equal(share, parsed.Value.Share);
    }

    [Theory]
    // Unknown subcommands and commands get the usage.
    [InlineData("/case", "frobnicate x")]
    [InlineData("/watchlist", "delete everything")]
    // A subcommand of another command is unknown here, as Discord registers it only under its own command.
    [InlineData("/case", "remove amir")]
    [InlineData("/alerts", "lookup amir")]
    [InlineData("/other", "lookup x")]
    public void Parse_UnknownInput_IsNull(string command, string text)
    {
        Assert.Null(SlackCommandHandler.Parse(command, text));
    }

    [Fact]
    public void Render_ReplyWithMentionText_IsEscaped()
    {
        var reply = new DetaineeAlertBot.Core.Commands.CommandReply("No case matches '<!channel>'",
            [new("Held by", "<@U123>")], "Try @here & <!everyone>", true, DetaineeAlertBot.Core.Commands.ReplyTone.Info);

        var response = SlackCommandHandler.Render(reply, share: false);

        Assert.DoesNotContain("<!", response.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<@", response.Text, StringComparison.Ordinal);
        Assert.Contains("&lt;!channel&gt;", response.Text, StringComparison.Ordinal);
        Assert.Equal("ephemeral", response.ResponseType);
    }
}
