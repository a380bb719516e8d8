using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Commands;

/// <summary>
/// The bot's commands: <c>/case lookup|history query</c> and <c>/watchlist add|remove|list</c>. Guild-only
/// (contexts [0]); <c>default_member_permissions</c> stays null, so <c>/watchlist list</c> is open to all and
/// admin rights are checked in code (a permission bit, or an admin role).
/// </summary>
public static class BotCommandDefinitions
{
    public const string Case = "case";
    public const string Watchlist = "watchlist";
    public const string Alerts = "alerts";
    public const string QueryOption = "query";
    public const string IdOption = "id";

    private const int SubCommand = 1;
    private const int String = 3;

    public static IReadOnlyList<ApplicationCommand> Build() =>
    [
        new()
        {
            Name = Case,
            Description = "Look up detainee cases",
            Contexts = [0],
            IntegrationTypes = [0],
            Options =
            [
                Sub("lookup", "Show a case", Query()),
                Sub("history", "Show a case's status history", Query()),
            ],
        },
        new()
        {
            Name = Watchlist,
            Description = "Manage this channel's alert watchlist",
            Contexts = [0],
            IntegrationTypes = [0],
            Options =
            [
                Sub("add", "Watch a case in this channel", Query()),
                Sub("remove", "Stop watching a case in this channel", Query()),
                Sub("list", "List cases watched in this channel"),
            ],
        },
        new()
        {
            Name = Alerts,
            Description = "Alert delivery: what waits, what could not be sent",
            Contexts = [0],
            IntegrationTypes = [0],
            Options =
            [
                Sub("status", "Pending, waiting and dead alerts"),
                Sub("dead", "List alerts that could not be delivered (admins)"),
                Sub("retry", "Send dead letters again (admins)", new ApplicationCommandOption
                {
                    Type = String, Name = IdOption, Description = "A delivery id from /alerts dead, or all", Required = true, MinLength = 1, MaxLength = 40,
                }),
            ],
        },
    ];

    private static ApplicationCommandOption Sub(string name, string description, params ApplicationCommandOption[] options) =>
        new() { Type = SubCommand, Name = name, Description = description, Options = options.Length == 0 ? null : options };

    private static ApplicationCommandOption Query() => new()
    {
        Type = String,
        Name = QueryOption,
        Description = "Name, alias or case id",
        Required = true,
        Autocomplete = true,
        MinLength = 1,
        MaxLength = 100,
    };
}
