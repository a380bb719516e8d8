using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Tests.Support;

/// <summary>Application commands shaped like a real bot's (subcommands, an autocompleted string option, one without
/// autocomplete), for the client's sync and compare tests. The bot's own commands come from the host's command table;
/// the client knows none of them.</summary>
internal static class SampleCommands
{
    public static IReadOnlyList<ApplicationCommand> Build() =>
    [
        new()
        {
            Name = "library",
            Description = "Find books",
            Contexts = [0],
            IntegrationTypes = [0],
            Options = [Sub("find", "Show a book", Title()), Sub("loans", "Show a book's loans", Title())],
        },
        new()
        {
            Name = "shelf",
            Description = "Manage this channel's shelf",
            Contexts = [0],
            IntegrationTypes = [0],
            Options =
            [
                Sub("put", "Put a book on the shelf", Title()),
                Sub("clear", "Empty the shelf", new ApplicationCommandOption { Type = 3, Name = "id", Description = "A shelf id", Required = true, MinLength = 1, MaxLength = 40 }),
            ],
        },
    ];

    private static ApplicationCommandOption Sub(string name, string description, ApplicationCommandOption option) =>
        new() { Type = 1, Name = name, Description = description, Options = [option] };

    private static ApplicationCommandOption Title() =>
        new() { Type = 3, Name = "title", Description = "A title or an id", Required = true, Autocomplete = true, MinLength = 1, MaxLength = 100 };
}
