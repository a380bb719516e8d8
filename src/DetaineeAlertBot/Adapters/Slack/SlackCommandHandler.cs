using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// Turns a Slack slash command into a <see cref="CommandRequest"/> for <see cref="BotCommands"/> and its reply
/// into Slack blocks. Used by both the HTTP endpoint and Socket Mode. Slack wants an answer within 3 s: a reply
/// that is not ready within <see cref="AnswerBudget"/> is acknowledged with "Working on it" and posted to the
/// command's response_url when done.
/// </summary>
public sealed class SlackCommandHandler
{
    /// <summary>Time to answer inline; the rest of Slack's 3 s is left for the network.</summary>
    public static readonly TimeSpan AnswerBudget = TimeSpan.FromMilliseconds(1500);

    /// <summary>Longest a deferred command may run before it is given up (response_url lives 30 minutes).</summary>
    public static readonly TimeSpan DeferredTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Anywhere in a lookup, asks for the answer to be posted in the channel instead of privately.</summary>
    public const string ShareFlag = "--share";

    private readonly BotCommands _commands;
    private readonly SlackAccess _access;
    private readonly SlackApiClient _api;
    private readonly TimeProvider _time;
    private readonly ILogger<SlackCommandHandler> _logger;
    private readonly CaseForms _forms;
    private readonly SlackForms _slackForms;

    public SlackCommandHandler(BotCommands commands, SlackAccess access, SlackApiClient api, TimeProvider time, ILogger<SlackCommandHandler> logger,
        CaseForms forms, SlackForms slackForms)
    {
        _commands = commands;
        _forms = forms;
        _slackForms = slackForms;
        _access = access;
        _api = api;
        _time = time;
        _logger = logger;
    }

    public async Task<SlashCommandResponse> HandleAsync(SlashCommand command, CancellationToken ct)
    {
        // A request for another workspace or app is refused before anything else, without even a call to Slack.
        if (_access.CheckAddressee(command.TeamId, command.ApiAppId) is { } refusal)
        {
            _logger.LogWarning("Refused a Slack command from team {TeamId} (app {AppId}, user {UserId}): not this bot's workspace or app",
                command.TeamId, command.ApiAppId, command.UserId);
            return Render(CommandReply.Refusal(refusal), share: false);
        }

        var deferred = new CancellationTokenSource(DeferredTimeout);
        var work = ExecuteAsync(command, Parse(command.Command, command.Text), deferred.Token);
        _ = work.ContinueWith(_ => deferred.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var budget = Task.Delay(AnswerBudget, _time, ct);
        if (await Task.WhenAny(work, budget).ConfigureAwait(false) == work)
        {
            return await work.ConfigureAwait(false);
        }

        if (string.IsNullOrEmpty(command.ResponseUrl))
        {
            return await work.ConfigureAwait(false);
        }

        _ = FinishLaterAsync(command.ResponseUrl, work);
        return new SlashCommandResponse("Working on it…");
    }

    /// <summary>
    /// Parses "/case lookup amir" or "/watchlist add amiry" by the <see cref="CommandTable"/>: the first word is the
    /// subcommand (empty text is "help"), the rest the option's value. Returns null for input that is not one of the
    /// table's commands and subcommands (the caller answers with the usage).
    /// </summary>
    public static (CommandRequest Request, bool Share)? Parse(string slashCommand, string? text)
    {
        if (CommandTable.Find(slashCommand) is not { } command)
        {
            return null;
        }

        var words = (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var share = words.RemoveAll(w => string.Equals(w, ShareFlag, StringComparison.OrdinalIgnoreCase)) > 0;
        var word = words.Count > 0 ? words[0] : CommandTable.Help;
        var subcommand = command.Find(word);
        if (subcommand is null && !string.Equals(word, CommandTable.Help, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var query = words.Count > 1 ? string.Join(' ', words.Skip(1)) : null;
        // Slack takes options as key:value words too ("/watchlist style style:plain", "/case update query:Amiry").
        if (query is not null && subcommand?.Option is { } option && query.StartsWith(option.Name + ":", StringComparison.OrdinalIgnoreCase))
        {
            query = query[(option.Name.Length + 1)..].Trim();
            if (query.Length == 0) query = null;
        }
        return (new CommandRequest(command.Name, subcommand?.Name ?? CommandTable.Help, query), share && subcommand == CommandTable.CaseLookup);
    }

    private async Task<SlashCommandResponse> ExecuteAsync(SlashCommand command, (CommandRequest Request, bool Share)? parsed, CancellationToken ct)
    {
        // Every caller is looked up (cached): guests and other workspaces' members learn nothing, not even the usage.
        var caller = await _access.CheckAsync(command.TeamId, command.ApiAppId, command.UserId, ct).ConfigureAwait(false);
        if (!caller.Allowed)
        {
            return Render(CommandReply.Refusal(caller.Refusal!), share: false);
        }

        if (parsed is not { } valid)
        {
            var usage = CommandTable.Find(command.Command)?.Usage() ?? CommandTable.NotOurs();
            return Render(CommandReply.Info(null, usage), share: false);
        }

        var context = new CommandContext(Platforms.Slack, command.ChannelId, command.UserId, command.UserName, caller.IsAdmin);
        if (CommandTable.Find(valid.Request.Command, valid.Request.Subcommand)?.Form is { } form)
        {
            var opening = form == CaseFormKind.UpdateStatus ? _forms.OpenUpdate(valid.Request.Query, context) : _forms.OpenNewCase(context, withDetails: true);
            var instead = await _slackForms.OpenAsync(opening, command.TriggerId, ct).ConfigureAwait(false);
            return Render(instead ?? CommandReply.Info(null, "The form is open."), share: false);
        }

        var reply = await _commands.ExecuteAsync(valid.Request, context, ct).ConfigureAwait(false);
        return Render(reply, valid.Share);
    }

    private async Task FinishLaterAsync(string responseUrl, Task<SlashCommandResponse> work)
    {
        try
        {
            var response = await work.ConfigureAwait(false);
            await _api.RespondAsync(responseUrl, response with { ReplaceOriginal = true }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "A deferred Slack command reply could not be delivered");
            try
            {
                await _api.RespondAsync(responseUrl, new SlashCommandResponse(
                    "Sorry, that took too long or failed; nothing was changed. Please try again in a minute.") { ReplaceOriginal = true },
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (SlackApiException inner)
            {
                _logger.LogWarning("Could not tell the user about the failed command either: {Error}", inner.Error);
            }
        }
    }

    /// <summary>A command reply as Slack blocks; all text is ours or escaped.</summary>
    public static SlashCommandResponse Render(CommandReply reply, bool share)
    {
        var builder = new SlackMessageBuilder();
        var prefix = reply.Tone switch
        {
            ReplyTone.Error => ":warning: ",
            ReplyTone.Refusal => ":no_entry: ",
            ReplyTone.Success => ":white_check_mark: ",
            _ => "",
        };
        if (!string.IsNullOrWhiteSpace(reply.Title))
        {
            builder.Section($"{prefix}*{SlackText.Escape(reply.Title)}*");
            prefix = "";
        }

        if (reply.Fields.Count > 0)
        {
            builder.Fields(reply.Fields.Select(f => $"*{SlackText.Escape(f.Name)}*\n{SlackText.Escape(f.Value)}"));
        }

        if (!string.IsNullOrWhiteSpace(reply.Text))
        {
            builder.Section(prefix + SlackText.Escape(reply.Text));
        }

        var message = builder.Build(reply.ToPlainText());
        var visibility = share ? SlashCommandResponse.InChannel : SlashCommandResponse.Ephemeral;
        return new SlashCommandResponse(message.Text, message.Blocks, visibility);
    }
}
