using DetaineeAlertBot.Core.Sync;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>BotCommands is the single entry point chat adapters call: it routes "/case ..." and "/watchlist ..."
/// to their handlers and turns any failure into a polite reply (never a stack trace in chat).</summary>
public sealed class BotCommands(CaseCommands cases, WatchlistCommands watchlists, AlertCommands alerts, CaseCatalog catalog, ILogger<BotCommands> logger)
{
    public const string CaseCommand = "case";
    public const string WatchlistCommand = "watchlist";
    public const string AlertsCommand = "alerts";

    /// <summary>Usage text per command, as users type it in Slack (Discord shows its own option hints).</summary>
    public static string Usage(string command) => command == AlertsCommand
        ? "Usage: /alerts status · /alerts dead · /alerts retry id:<delivery id|all>\nEveryone can see the status; dead letters and retries are for admins."
        : command == WatchlistCommand
        ? "Usage: /watchlist add <name or case id> · /watchlist remove <name or case id> · /watchlist list\n"
          + "Adding and removing are for admins; everyone can list."
        : "Usage: /case lookup <name or case id> · /case history <name or case id> · /case help\n"
          + "Names may be misspelt, partial, in another order or another script.";

    public async Task<CommandReply> ExecuteAsync(CommandRequest request, CommandContext context, CancellationToken cancellationToken)
    {
        try
        {
            return (request.Command.ToLowerInvariant(), request.Subcommand.ToLowerInvariant()) switch
            {
                (CaseCommand, "lookup") => await cases.LookupAsync(request.Query, cancellationToken).ConfigureAwait(false),
                (CaseCommand, "history") => await cases.HistoryAsync(request.Query, cancellationToken).ConfigureAwait(false),
                (WatchlistCommand, "add") => await watchlists.AddAsync(request.Query, context, cancellationToken).ConfigureAwait(false),
                (WatchlistCommand, "remove") => await watchlists.RemoveAsync(request.Query, context, cancellationToken).ConfigureAwait(false),
                (WatchlistCommand, "list") => await watchlists.ListAsync(context, cancellationToken).ConfigureAwait(false),
                (AlertsCommand, "status") => await alerts.StatusAsync(cancellationToken).ConfigureAwait(false),
                (AlertsCommand, "dead") => await alerts.DeadAsync(context, cancellationToken).ConfigureAwait(false),
                (AlertsCommand, "retry") => await alerts.RetryAsync(request.Query, context, cancellationToken).ConfigureAwait(false),
                (AlertsCommand, _) => CommandReply.Info(null, Usage(AlertsCommand)),
                (CaseCommand or WatchlistCommand, "help" or "") => CommandReply.Info(null, Usage(request.Command.ToLowerInvariant())),
                (WatchlistCommand, _) => CommandReply.Info(null, $"Unknown subcommand '{request.Subcommand}'.\n{Usage(WatchlistCommand)}"),
                _ => CommandReply.Info(null, $"Unknown command '{request.Command} {request.Subcommand}'.\n{Usage(CaseCommand)}"),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Command /{Command} {Subcommand} failed for {Platform} user {UserId} in channel {ChannelId}",
                request.Command, request.Subcommand, context.Platform, context.UserId, context.ChannelId);
            return CommandReply.Error("Something went wrong on our side while answering that; nothing was changed. Please try again in a minute, and tell the bot's operator if it keeps happening.");
        }
    }

    /// <summary>Suggestions for a partially typed name: label "Name — Status, Country", value "source:id".</summary>
    public IReadOnlyList<CaseChoice> Autocomplete(string partial, int max = 25)
    {
        var hits = catalog.Search.Autocomplete(partial ?? "", max);
        var choices = new List<CaseChoice>(hits.Count);
        foreach (var hit in hits)
        {
            var stored = catalog.Find(hit.Key);
            var label = stored is null ? hit.Name : CaseFormat.ShortLabel(stored.Case);
            choices.Add(new CaseChoice(CaseFormat.Truncate(label, 100), CaseFormat.Truncate(hit.Key.ToString(), 100)));
        }
        return choices;
    }
}
