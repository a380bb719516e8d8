using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>
/// The bot's commands, written once: each subcommand's name, description, option and whether it needs an admin, and
/// what runs it. <see cref="BotCommands"/> routes and refuses by this table, Discord's registration is projected
/// from it, and Slack's text parser accepts exactly its names, so the platforms cannot drift apart.
/// Names and descriptions are fixed by the contract (contract.md, "Commands"); Discord compares them with what it
/// has registered, so a changed word costs a command overwrite at the next start.
/// </summary>
public static class CommandTable
{
    /// <summary>Not a subcommand Discord registers: Slack's "/case help" (and empty text) answers with the usage.</summary>
    public const string Help = "help";

    private static readonly OptionSpec CaseQuery = new("query", "Name, alias or case id", MaxLength: 100, SuggestsCases: true, Placeholder: "<name or case id>");

    private static readonly OptionSpec DeliveryId = new("id", "A delivery id from /alerts dead, or all", MaxLength: 40, SuggestsCases: false, Placeholder: "id:<delivery id|all>");

    private static readonly OptionSpec Style = new("style", "card (one living card per case) or plain (one message per change)", MaxLength: 10, SuggestsCases: false,
        Placeholder: "style:<card|plain>") { Choices = ["card", "plain"] };

    private static readonly OptionSpec Schedule = new("schedule", "off, daily HH:MM Zone, or weekly DAY HH:MM Zone (daily 09:00 Europe/Berlin)", MaxLength: 60,
        SuggestsCases: false, Placeholder: "schedule:<off|daily HH:MM TZ|weekly DAY HH:MM TZ>");

    /// <summary>The fields of /watchlist follow: each optional, at least one given (contract: rules).</summary>
    private static readonly IReadOnlyList<OptionSpec> RuleFields =
    [
        new("country", "Country where held: a name or ISO code (Iran, IR)", MaxLength: 100, SuggestsCases: false, Placeholder: "country:<name or code>") { Required = false },
        new("nationality", "Nationality: a country name or ISO code (US)", MaxLength: 100, SuggestsCases: false, Placeholder: "nationality:<..>") { Required = false },
        new("held_by", "Held by (as the feeds write it)", MaxLength: 100, SuggestsCases: false, Placeholder: "held_by:<..>") { Required = false },
        new("status", "Statuses, separated by commas (detained, charged)", MaxLength: 200, SuggestsCases: false, Placeholder: "status:<a,b>") { Required = false },
        new("source", "A source name", MaxLength: 100, SuggestsCases: false, Placeholder: "source:<..>") { Required = false },
    ];

    private static readonly IReadOnlyList<OptionSpec> MuteFields =
    [
        new("query", "Name, alias or case id, or all", MaxLength: 100, SuggestsCases: true, Placeholder: "query:<name or id|all>"),
        new("for", "How long: 30m, 24h, 7d (1 minute to 90 days)", MaxLength: 10, SuggestsCases: false, Placeholder: "for:<30m|24h|7d>"),
    ];

    private static readonly OptionSpec MuteQuery = new("query", "Name, alias or case id, or all", MaxLength: 100, SuggestsCases: true, Placeholder: "query:<name or id|all>");

    private static readonly OptionSpec RuleId = new("rule", "The rule's id from /watchlist list", MaxLength: 20, SuggestsCases: false, Placeholder: "rule:<id>");

    private const string WatchlistRefusalDiscord = "Only admins can change this channel's watchlist (ask someone with Manage Server).";
    private const string WatchlistRefusalSlack =
        "Only admins can change this channel's watchlist (ask a workspace admin, or someone listed in the bot's admin users).";

    /// <summary>Named on its own because Slack's "--share" applies to lookups only.</summary>
    public static readonly SubcommandSpec CaseLookup = new("lookup", "Show a case", CaseQuery, (h, value, _, ct) => h.Cases.LookupAsync(value, ct));

    public static readonly IReadOnlyList<CommandSpec> All =
    [
        new("case", "Look up detainee cases", "Names may be misspelt, partial, in another order or another script.",
        [
            CaseLookup,
            new("history", "Show a case's status history", CaseQuery, (h, value, _, ct) => h.Cases.HistoryAsync(value, ct)),
            new SubcommandSpec("update", "Set a case's status by hand (admins; opens a form)", CaseQuery, FormOnly)
                .ForAdmins(_ => Forms.CaseForms.AdminRefusal) with { Form = Forms.CaseFormKind.UpdateStatus },
            new SubcommandSpec("add", "Add a case by hand (admins; opens a form)", null, FormOnly)
                .ForAdmins(_ => Forms.CaseForms.AdminRefusal) with { Form = Forms.CaseFormKind.NewCase },
        ]),
        new("watchlist", "Manage this channel's alert watchlist", null,
        [
            new SubcommandSpec("add", "Watch a case in this channel", CaseQuery, (h, value, context, ct) => h.Watchlists.AddAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true },
            new SubcommandSpec("remove", "Stop watching a case in this channel", CaseQuery, (h, value, context, ct) => h.Watchlists.RemoveAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true },
            new("list", "List cases watched in this channel", null, (h, _, context, ct) => h.Watchlists.ListAsync(context, ct)),
            new SubcommandSpec("follow", "Follow every case matching a rule in this channel", null, (h, value, context, ct) => h.Watchlists.FollowAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true, Fields = RuleFields },
            new SubcommandSpec("unfollow", "Stop following a rule in this channel", RuleId, (h, value, context, ct) => h.Watchlists.UnfollowAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true },
            new SubcommandSpec("mute", "Record a case's changes here without posting them, for a while", null, (h, value, context, ct) => h.Watchlists.MuteAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true, Fields = MuteFields },
            new SubcommandSpec("unmute", "Post a muted case's changes here again", MuteQuery, (h, value, context, ct) => h.Watchlists.UnmuteAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true },
            new SubcommandSpec("digest", "Post this channel's changes as one summary per day or week", Schedule, (h, value, context, ct) => h.Watchlists.DigestAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true },
            new SubcommandSpec("style", "How this channel hears about changes", Style, (h, value, context, ct) => h.Watchlists.StyleAsync(value, context, ct))
                .ForAdmins(WatchlistRefusal) with { PostedInChannel = true },
        ]),
        new("alerts", "Alert delivery: what waits, what could not be sent", null,
        [
            new("status", "Pending, waiting and dead alerts", null, (h, _, _, ct) => h.Alerts.StatusAsync(ct)),
            new SubcommandSpec("dead", "List alerts that could not be delivered (admins)", null, (h, _, _, ct) => h.Alerts.DeadAsync(ct))
                .ForAdmins(_ => "Only admins can list dead letters. /alerts status shows how many there are."),
            new SubcommandSpec("retry", "Send dead letters again (admins)", DeliveryId, (h, value, context, ct) => h.Alerts.RetryAsync(value, context, ct))
                .ForAdmins(_ => "Only admins can send dead letters again."),
        ]),
    ];

    /// <summary>The command called <paramref name="name"/> (any case, with or without the leading slash), or null.</summary>
    public static CommandSpec? Find(string? name)
    {
        var bare = (name ?? "").TrimStart('/');
        return All.FirstOrDefault(c => string.Equals(c.Name, bare, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The subcommand <paramref name="subcommand"/> of <paramref name="command"/>, or null when either is unknown.</summary>
    public static SubcommandSpec? Find(string? command, string? subcommand) => Find(command)?.Find(subcommand);

    /// <summary>"/case, /watchlist and /alerts": how replies name the commands there are.</summary>
    public static string CommandList()
    {
        var names = All.Select(c => "/" + c.Name).ToList();
        return names.Count == 1 ? names[0] : $"{string.Join(", ", names.SkipLast(1))} and {names[^1]}";
    }

    /// <summary>The answer to a command that is not in the table.</summary>
    public static string NotOurs() => $"This bot only answers {CommandList()}.";

    /// <summary>A form's subcommand reached as text (a console, a platform without forms): say where it works.</summary>
    private static Task<CommandReply> FormOnly(CommandHandlers handlers, string? value, CommandContext context, CancellationToken cancellationToken) =>
        Task.FromResult(CommandReply.Info(null, "This opens a form, which Discord and Slack show; run it there."));

    private static string WatchlistRefusal(string platform) => platform == Platforms.Slack ? WatchlistRefusalSlack : WatchlistRefusalDiscord;
}

/// <summary>A top-level slash command: "/case", "/watchlist" or "/alerts".</summary>
/// <param name="Note">A line the usage adds after the subcommands, or null.</param>
public sealed record CommandSpec(string Name, string Description, string? Note, IReadOnlyList<SubcommandSpec> Subcommands)
{
    /// <summary>The subcommand called <paramref name="name"/> (any case), or null; "help" is not one.</summary>
    public SubcommandSpec? Find(string? name) =>
        Subcommands.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The usage as users type it in Slack (Discord shows its own option hints); admin-only subcommands say so.</summary>
    public string Usage()
    {
        var forms = Subcommands.Select(s => $"/{Name} {s.Name}{(s.Option is { } option ? " " + option.Placeholder : "")}"
                + $"{(s.Fields.Count > 0 ? " " + string.Join(' ', s.Fields.Select(f => f.Placeholder)) : "")}{(s.AdminOnly ? " (admins)" : "")}")
            .Append($"/{Name} {CommandTable.Help}");
        var usage = "Usage: " + string.Join(" · ", forms);
        return Note is null ? usage : usage + "\n" + Note;
    }
}

/// <summary>Runs one subcommand: <paramref name="value"/> is its option's value (Slack: the text after the name).</summary>
internal delegate Task<CommandReply> SubcommandHandler(CommandHandlers handlers, string? value, CommandContext context, CancellationToken cancellationToken);

/// <summary>The handlers the table's entries call.</summary>
internal sealed record CommandHandlers(CaseCommands Cases, WatchlistCommands Watchlists, AlertCommands Alerts);

/// <summary>One subcommand of a <see cref="CommandSpec"/>; <see cref="Option"/> is the one value it takes, if any.</summary>
public sealed record SubcommandSpec
{
    internal SubcommandSpec(string name, string description, OptionSpec? option, SubcommandHandler run) =>
        (Name, Description, Option, Run) = (name, description, option, run);

    public string Name { get; }

    public string Description { get; }

    public OptionSpec? Option { get; }

    /// <summary>For everyone but admins, the refusal (by platform: "discord" or "slack"); null when anyone may run it.</summary>
    public Func<string, string>? AdminRefusal { get; private init; }

    /// <summary>Only admins may run it; everyone else gets <see cref="AdminRefusal"/> and nothing is read or changed.</summary>
    public bool AdminOnly => AdminRefusal is not null;

    /// <summary>Several optional key:value options instead of one <see cref="Option"/> (/watchlist follow): the handler gets
    /// them as one "key:value key:value" text, as Slack users type them; Discord's options are joined so.</summary>
    public IReadOnlyList<OptionSpec> Fields { get; internal init; } = [];

    /// <summary>The form this subcommand opens instead of answering (the platforms show it: Discord modal, Slack views.open).</summary>
    public Forms.CaseFormKind? Form { get; internal init; }

    /// <summary>A permitted call's answer is posted for the channel to see. Discord has to know before the answer
    /// exists: a deferred reply keeps the visibility chosen when deferring.</summary>
    public bool PostedInChannel { get; internal init; }

    internal SubcommandHandler Run { get; }

    internal SubcommandSpec ForAdmins(Func<string, string> refusal) => this with { AdminRefusal = refusal };
}

/// <summary>A subcommand's value: a required, non-empty string of at most <see cref="MaxLength"/> characters.</summary>
/// <param name="SuggestsCases">The value names a case, so Discord offers case names as the user types.</param>
/// <param name="Placeholder">How the usage shows the value as typed in Slack.</param>
public sealed record OptionSpec(string Name, string Description, int MaxLength, bool SuggestsCases, string Placeholder)
{
    public const int MinLength = 1;

    /// <summary>Whether the option must be given (Discord marks it required).</summary>
    public bool Required { get; init; } = true;

    /// <summary>The only values it takes, when there is a fixed list (Discord offers them as choices).</summary>
    public IReadOnlyList<string>? Choices { get; init; }
}
