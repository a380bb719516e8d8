using System.Text;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Tests.Interactions;

/// <summary>Payloads shaped exactly like the documentation's examples.</summary>
public class InteractionParsingTests
{
    // interactions/application-commands.mdx, "Slash Commands" example interaction (guild, member.permissions).
    private const string DocsCommandInteraction = """
        {
            "type": 2,
            "token": "A_UNIQUE_TOKEN",
            "member": {
                "user": {
                    "id": "53908232506183680",
                    "username": "Mason",
                    "avatar": "a_d5efa99b3eeaa7dd43acca82f5692432",
                    "discriminator": "1337",
                    "public_flags": 131141
                },
                "roles": ["539082325061836999"],
                "premium_since": null,
                "permissions": "2147483647",
                "pending": false,
                "nick": null,
                "mute": false,
                "joined_at": "2017-03-13T19:19:14.040000+00:00",
                "is_pending": false,
                "deaf": false
            },
            "id": "786008729715212338",
            "guild_id": "290926798626357999",
            "app_permissions": "442368",
            "guild_locale": "en-US",
            "locale": "en-US",
            "data": {
                "options": [{
                    "type": 3,
                    "name": "cardname",
                    "value": "The Gitrog Monster"
                }],
                "type": 1,
                "name": "cardsearch",
                "id": "771825006014889984"
            },
            "channel_id": "645027906669510667"
        }
        """;

    // interactions/application-commands.mdx, autocomplete example (focused option with a partial value).
    private const string DocsAutocompleteInteraction = """
        {
            "type": 4,
            "data": {
                "type": 1,
                "options": [
                    {
                        "type": 3,
                        "name": "ingredient",
                        "value": "pa",
                        "focused": true
                    }
                ],
                "name": "dinner",
                "id": "919112329587822620"
            }
        }
        """;

    // Digest §5.2: /watchlist add query:Amir (subcommand option shape).
    private const string WatchlistAdd = """
        { "id": "1300000000000000001", "application_id": "1200000000000000000", "type": 2, "token": "<token>", "version": 1,
          "guild_id": "290926798626357999", "channel_id": "645027906669510667", "context": 0,
          "member": { "user": { "id": "53908232506183680", "username": "mason" }, "roles": ["539082325061836999"], "permissions": "2147483647" },
          "data": { "id": "1250000000000000000", "name": "watchlist", "type": 1,
                    "options": [ { "type": 1, "name": "add", "options": [ { "type": 3, "name": "query", "value": "Amir" } ] } ] } }
        """;

    private static Interaction Parse(string json) => DiscordJson.ParseInteraction(Encoding.UTF8.GetBytes(json))!;

    [Fact]
    public void Parse_DocsCommandInteraction_ReadsMemberChannelAndOptions()
    {
        var interaction = Parse(DocsCommandInteraction);
        var invocation = SlashCommandInvocation.From(interaction)!;

        Assert.Equal("786008729715212338", interaction.Id);
        Assert.Equal("645027906669510667", interaction.ChannelId);
        Assert.Equal("53908232506183680", interaction.Invoker!.Id);
        Assert.Equal("cardsearch", invocation.Command);
        Assert.Null(invocation.Subcommand);
        Assert.Equal("The Gitrog Monster", invocation.Get("cardname"));
        Assert.Equal(["539082325061836999"], interaction.Member!.Roles);
    }

    [Fact]
    public void Parse_DocsAutocomplete_FocusedOptionAndPartialValue()
    {
        var invocation = SlashCommandInvocation.From(Parse(DocsAutocompleteInteraction))!;

        Assert.Equal("ingredient", invocation.FocusedOption);
        Assert.Equal("pa", invocation.Get("ingredient"));
    }

    [Fact]
    public void Parse_WatchlistAdd_SubcommandAndQuery()
    {
        var invocation = SlashCommandInvocation.From(Parse(WatchlistAdd))!;

        Assert.Equal(("watchlist", "add", "Amir"), (invocation.Command, invocation.Subcommand, invocation.Get("query")));
    }

    [Theory]
    [InlineData("""{"type":1,"name":"list"}""")]
    [InlineData("""{"type":1,"name":"list","options":[]}""")]
    public void Parse_SubcommandWithoutOptions_EmptyOptions(string subcommand)
    {
        var json = WatchlistAdd.Replace("""{ "type": 1, "name": "add", "options": [ { "type": 3, "name": "query", "value": "Amir" } ] }""", subcommand);

        var invocation = SlashCommandInvocation.From(Parse(json))!;

        Assert.Equal("list", invocation.Subcommand);
        Assert.Empty(invocation.Options);
    }

    [Fact]
    public void Parse_Ping_NotACommand()
    {
        var ping = Parse("""{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}""");

        Assert.Equal(InteractionType.Ping, ping.Type);
        Assert.Null(SlashCommandInvocation.From(ping));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void Parse_Garbage_Null(string body) => Assert.Null(DiscordJson.ParseInteraction(Encoding.UTF8.GetBytes(body)));

    [Theory]
    // All permissions (docs example), exactly ADMINISTRATOR, exactly MANAGE_GUILD: admin.
    [InlineData("2147483647", true)]
    [InlineData("8", true)]
    [InlineData("32", true)]
    // SEND_MESSAGES | VIEW_CHANNEL only, nothing, garbage, negative: not admin.
    [InlineData("3072", false)]
    [InlineData("0", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("-8", false)]
    [InlineData("abc", false)]
    // Beyond 64 bits (permissions grow): still parsed.
    [InlineData("1180591620717411303432", true)]
    public void HasAny_AdministratorOrManageGuild_FromPermissionString(string? permissions, bool expected) =>
        Assert.Equal(expected, DiscordPermissions.HasAny(permissions, DiscordPermissions.Administrator | DiscordPermissions.ManageGuild));
}
