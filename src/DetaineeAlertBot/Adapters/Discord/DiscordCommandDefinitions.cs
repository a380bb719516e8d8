using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// The <see cref="CommandTable"/> as Discord application commands: one chat-input command per table command, one
/// SUB_COMMAND per subcommand, its option a STRING. Guild-only (contexts [0], guild install); default_member_permissions
/// stays null, so members see every subcommand and the table's admin rule is applied in code (a permission bit or an
/// admin role, <see cref="DiscordInteractionHandler.IsAdmin"/>).
/// </summary>
public static class DiscordCommandDefinitions
{
    private const int SubCommandType = 1;
    private const int StringType = 3;
    private const int GuildContext = 0;
    private const int GuildInstall = 0;

    public static IReadOnlyList<ApplicationCommand> Build() =>
    [
        .. CommandTable.All.Select(command => new ApplicationCommand
        {
            Name = command.Name,
            Description = command.Description,
            Contexts = [GuildContext],
            IntegrationTypes = [GuildInstall],
            Options = [.. command.Subcommands.Select(Subcommand)],
        }),
    ];

    private static ApplicationCommandOption Subcommand(SubcommandSpec subcommand) => new()
    {
        Type = SubCommandType,
        Name = subcommand.Name,
        Description = subcommand.Description,
        Options = subcommand.Option is { } option ? [Option(option)] : subcommand.Fields.Count > 0 ? [.. subcommand.Fields.Select(Option)] : null,
    };

    // Autocomplete is omitted where off (not sent as false), so the payload stays what earlier versions registered.
    private static ApplicationCommandOption Option(OptionSpec option) => new()
    {
        Type = StringType,
        Name = option.Name,
        Description = option.Description,
        Required = option.Required ? true : null,
        Autocomplete = option.SuggestsCases ? true : null,
        Choices = option.Choices?.Select(choice => new ApplicationCommandOptionChoice(choice, choice)).ToArray(),
        MinLength = OptionSpec.MinLength,
        MaxLength = option.MaxLength,
    };
}
