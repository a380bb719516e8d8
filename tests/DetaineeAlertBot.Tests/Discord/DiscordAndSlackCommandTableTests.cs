using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;

namespace DetaineeAlertBot.Tests.Discord;

/// <summary>Both platforms read the <see cref="CommandTable"/>: what Discord registers, sent back as an interaction,
/// and what a Slack user types give the same request for every subcommand.</summary>
public sealed class DiscordAndSlackCommandTableTests
{
    public static TheoryData<string, string> Subcommands() => Rows(_ => true);

    /// <summary>The table's admin-only subcommands, for the platforms' refusal tests.</summary>
    public static TheoryData<string, string> AdminOnlySubcommands() => Rows(s => s.AdminOnly);

    private static TheoryData<string, string> Rows(Func<SubcommandSpec, bool> which)
    {
        var rows = new TheoryData<string, string>();
        foreach (var command in CommandTable.All)
        {
            foreach (var subcommand in command.Subcommands.Where(which))
            {
                rows.Add(command.Name, subcommand.Name);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(Subcommands))]
    public void Subcommand_DiscordRegistrationAndSlackText_GiveTheSameRequest(string command, string subcommand)
    {
        var spec = CommandTable.Find(command, subcommand)!;
        var value = spec.Option is { SuggestsCases: true } ? "Amir Amiry" : spec.Option is null ? (spec.Fields.Count > 0 ? "Iran" : null) : "all";
        // The option name comes from the registration, as a Discord client would send it (the first of several).
        var registered = DiscordCommandDefinitions.Build().Single(c => c.Name == command).Options!.Single(o => o.Name == subcommand);
        var optionName = registered.Options?.First().Name;
        Assert.Equal(value is null, optionName is null);
        // Several key:value options reach the handler as Slack users type them: "country:Iran".
        var expected = spec.Fields.Count > 0 ? $"{optionName}:{value}" : value;

        var interaction = DiscordJson.ParseInteraction(System.Text.Encoding.UTF8.GetBytes(
            DiscordHost.Command(command, subcommand, value, optionName: optionName ?? "unused")))!;
        var fromDiscord = DiscordInteractionHandler.Request(SlashCommandInvocation.From(interaction)!);
        var fromSlack = SlackCommandHandler.Parse("/" + command, expected is null ? subcommand : $"{subcommand} {expected}")?.Request;

        Assert.Equal(new CommandRequest(command, subcommand, expected), fromDiscord);
        Assert.Equal(fromDiscord, fromSlack);
    }

    [Fact]
    public void Slack_HelpAndEmptyText_AreHelpForEveryCommand()
    {
        foreach (var command in CommandTable.All)
        {
            Assert.Equal(CommandTable.Help, SlackCommandHandler.Parse("/" + command.Name, "")?.Request.Subcommand);
            Assert.Equal(CommandTable.Help, SlackCommandHandler.Parse("/" + command.Name, "HELP")?.Request.Subcommand);
        }
    }
}
