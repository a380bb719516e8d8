using DetaineeAlertBot.Core.Sync;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>BotCommands is the single entry point chat adapters call: it finds "/case ...", "/watchlist ..." and
/// "/alerts ..." in the <see cref="CommandTable"/>, refuses admin-only subcommands to everyone else, runs the rest,
/// and turns any failure into a polite reply (never a stack trace in chat).</summary>
public sealed class BotCommands(CaseCommands cases, WatchlistCommands watchlists, AlertCommands alerts, CaseCatalog catalog, ILogger<BotCommands> logger)
{
    private readonly CommandHandlers _handlers = new(cases, watchlists, alerts);

    public async Task<CommandReply> ExecuteAsync(CommandRequest request, CommandContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (CommandTable.Find(request.Command) is not { } command)
            {
                return CommandReply.Info(null, $"Unknown command '{request.Command} {request.Subcommand}'. {CommandTable.NotOurs()}");
            }

            if (command.Find(request.Subcommand) is not { } subcommand)
            {
                return request.Subcommand.Length == 0 || string.Equals(request.Subcommand, CommandTable.Help, StringComparison.OrdinalIgnoreCase)
                    ? CommandReply.Info(null, command.Usage())
                    : CommandReply.Info(null, $"Unknown subcommand '{request.Subcommand}'.\n{command.Usage()}");
            }

            if (subcommand.AdminRefusal is { } refusal && !context.IsAdmin)
            {
                return CommandReply.Refusal(refusal(context.Platform));
            }

            return await subcommand.Run(_handlers, request.Query, context, cancellationToken).ConfigureAwait(false);
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
