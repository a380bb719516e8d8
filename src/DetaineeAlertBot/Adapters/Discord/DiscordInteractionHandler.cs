using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Turns an interaction (from the gateway or the HTTP endpoint) into a <see cref="CommandRequest"/> for
/// <see cref="BotCommands"/> and its reply into a Discord response, within the 3-second window
/// (<see cref="InteractionResponder"/> defers slow ones). Autocomplete on an option that names a case
/// (<see cref="OptionSpec.SuggestsCases"/>) suggests case names.
/// </summary>
public sealed class DiscordInteractionHandler(
    BotCommands commands,
    CardClicks cardClicks,
    CaseForms forms,
    InteractionResponder responder,
    DiscordOptions options,
    DiscordGuildBoundary boundary,
    ILogger<DiscordInteractionHandler> logger)
{
    private const int MaxChoices = 25;
    private const int ChoiceLength = 100;

    private static readonly AllowedMentions NoPings = AllowedMentions.None;

    /// <summary>Answers one interaction; see <see cref="InteractionResponder.RespondAsync"/> for what the result means.</summary>
    public Task<InteractionResponse?> HandleAsync(Interaction interaction, long receivedTimestamp, InteractionTransport transport, CancellationToken ct)
    {
        // The boundary comes first: a stranger's server or a DM learns nothing, not even whether a name is tracked.
        if (interaction.Type != InteractionType.Ping && boundary.RefusalFor(interaction) is { } refusal)
        {
            logger.LogWarning("Refused a Discord interaction from {Where} (user {UserId}): not one of the team's servers",
                interaction.GuildId is { } guild ? $"server {guild}" : "a direct message", interaction.Invoker?.Id);
            var answer = interaction.Type == InteractionType.ApplicationCommandAutocomplete ? NoChoices() : Render(CommandReply.Refusal(refusal));
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true, _ => Task.FromResult(answer), ct);
        }

        if (interaction.Type == InteractionType.ModalSubmit && DiscordForms.IsModal(interaction.Data?.CustomId, out var submitted))
        {
            var submission = new FormSubmission(submitted, interaction.Data!.ModalValues().ToDictionary(v => v.Key, v => (string?)v.Value), Context(interaction));
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true,
                async token => DiscordForms.Answer(await forms.SubmitAsync(submission, token).ConfigureAwait(false), submitted), ct);
        }

        if (interaction.Type == InteractionType.MessageComponent && DiscordForms.IsReopen(interaction.Data?.CustomId, out var reopened))
        {
            var opening = forms.Reopen(reopened, Context(interaction));
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true, _ => Task.FromResult(Render(opening)), ct);
        }

        if (interaction.Type == InteractionType.MessageComponent && CardActions.TryParse(interaction.Data?.CustomId, out var action, out var cardId))
        {
            if (action == CardAction.UpdateStatus)
            {
                // A modal must be the first answer, within 3 s: the form is opened from memory and one indexed read.
                var who = Context(interaction);
                return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true,
                    async token => Render(await forms.OpenUpdateFromCardAsync(cardId, who, token).ConfigureAwait(false)), ct);
            }
            var click = new CardClick(action, cardId, Context(interaction));
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true,
                async token => Render(await cardClicks.HandleAsync(click, token).ConfigureAwait(false)), ct);
        }

        var invocation = SlashCommandInvocation.From(interaction);
        if (interaction.Type == InteractionType.Ping || invocation is null)
        {
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true,
                _ => Task.FromResult(Unsupported()), ct);
        }

        if (interaction.Type == InteractionType.ApplicationCommandAutocomplete)
        {
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true,
                _ => Task.FromResult(Autocomplete(invocation)), ct);
        }

        var context = Context(interaction);
        var subcommand = CommandTable.Find(invocation.Command, invocation.Subcommand);
        var request = Request(invocation);
        if (subcommand?.Form is { } form)
        {
            var opening = form == CaseFormKind.UpdateStatus ? forms.OpenUpdate(request.Query, context) : forms.OpenNewCase(context, withDetails: false);
            return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: true, _ => Task.FromResult(Render(opening)), ct);
        }
        // Ephemerality is fixed when deferring: only a permitted call the table posts in the channel is deferred visibly.
        var publicReply = subcommand is { PostedInChannel: true } && (context.IsAdmin || !subcommand.AdminOnly);
        logger.LogDebug("Discord /{Command} {Subcommand} from {User} in {Channel} (admin: {IsAdmin})",
            request.Command, request.Subcommand, context.UserId, context.ChannelId, context.IsAdmin);
        return responder.RespondAsync(interaction, receivedTimestamp, transport, ephemeralIfDeferred: !publicReply,
            async token => Render(await commands.ExecuteAsync(request, context, token).ConfigureAwait(false)), ct);
    }

    /// <summary>The command as <see cref="BotCommands"/> takes it: the value is the subcommand's option, by the name the
    /// <see cref="CommandTable"/> gave it at registration.</summary>
    internal static CommandRequest Request(SlashCommandInvocation invocation)
    {
        var subcommand = CommandTable.Find(invocation.Command, invocation.Subcommand);
        if (subcommand is { Fields.Count: > 0 })
        {
            // Several optional options: one "key:value" text, as Slack users type it, for the one parser in Core.
            var given = subcommand.Fields.Select(f => KeyValuePair.Create(f.Name, invocation.Get(f.Name) ?? ""));
            return new CommandRequest(invocation.Command, invocation.Subcommand ?? "", KeyValueText.Join(given));
        }
        var option = subcommand?.Option;
        return new CommandRequest(invocation.Command, invocation.Subcommand ?? "", option is null ? null : invocation.Get(option.Name));
    }

    /// <summary>ADMINISTRATOR or MANAGE_GUILD in <c>member.permissions</c>, or one of <c>Discord:AdminRoleIds</c>.</summary>
    public bool IsAdmin(Interaction interaction) =>
        interaction.Member is { } member
        && (DiscordPermissions.HasAny(member.Permissions, DiscordPermissions.Administrator | DiscordPermissions.ManageGuild)
            || (member.Roles ?? []).Any(role => options.AdminRoleIds.Contains(role, StringComparer.Ordinal)));

    private CommandContext Context(Interaction interaction)
    {
        var user = interaction.Invoker;
        return new CommandContext(Platforms.Discord, interaction.ChannelId ?? "", user?.Id ?? "", user?.GlobalName ?? user?.Username, IsAdmin(interaction));
    }

    private InteractionResponse Autocomplete(SlashCommandInvocation invocation)
    {
        var partial = invocation.FocusedOption is { } focused ? invocation.Get(focused) ?? "" : "";
        var option = CommandTable.Find(invocation.Command, invocation.Subcommand)?.Option;
        var choices = option is { SuggestsCases: true } && option.Name == invocation.FocusedOption
            ? commands.Autocomplete(partial, MaxChoices)
                .Select(c => new AutocompleteChoice(Cut(c.Label, ChoiceLength), Cut(c.Value, ChoiceLength)))
                .Where(c => c.Name.Length > 0 && c.Value.Length > 0)
                .Take(MaxChoices)
                .ToList()
            : [];
        return new InteractionResponse
        {
            Type = InteractionCallbackType.ApplicationCommandAutocompleteResult,
            Data = new InteractionCallbackData { Choices = choices },
        };
    }

    private static InteractionResponse NoChoices() => new()
    {
        Type = InteractionCallbackType.ApplicationCommandAutocompleteResult,
        Data = new InteractionCallbackData { Choices = [] },
    };

    /// <summary>A reply as an embed (title, text, fields) coloured by tone; refusals and errors are always ephemeral.
    /// Every text may hold a name from a feed, so titles and field names are escaped like the rest.</summary>
    public static InteractionResponse Render(CommandReply reply)
    {
        var ephemeral = reply.Ephemeral || reply.Tone is ReplyTone.Refusal or ReplyTone.Error;
        var embed = new Embed
        {
            Title = string.IsNullOrWhiteSpace(reply.Title) ? null : DiscordMarkdown.Escape(reply.Title),
            Description = string.IsNullOrWhiteSpace(reply.Text) ? null : DiscordMarkdown.Escape(reply.Text),
            Color = reply.Tone switch
            {
                ReplyTone.Success => 0x188038,
                ReplyTone.Refusal => 0xF29900,
                ReplyTone.Error => 0xD93025,
                _ => 0x5865F2,
            },
            Fields = reply.Fields.Count == 0 ? null : reply.Fields.Select(f => new EmbedField(DiscordMarkdown.Escape(f.Name), DiscordMarkdown.Escape(f.Value), f.Inline)).ToList(),
        };

        return new InteractionResponse
        {
            Type = InteractionCallbackType.ChannelMessageWithSource,
            Data = new InteractionCallbackData
            {
                Embeds = [EmbedLimits.Fit(embed, out _)],
                Flags = ephemeral ? MessageFlags.Ephemeral : null,
                AllowedMentions = NoPings,
            },
        };
    }

    /// <summary>A form, or the reply given instead (a refusal, an unknown case), privately.</summary>
    public static InteractionResponse Render(FormOpening opening) =>
        opening.Form is { } form ? DiscordForms.Modal(form) : Render(opening.Reply! with { Ephemeral = true });

    /// <summary>A click's answer: the card for everyone (UPDATE_MESSAGE, edited in the same answer), or a private reply.</summary>
    public static InteractionResponse Render(CardClickResult result) => result.UpdatedCard is { } card
        ? new InteractionResponse
        {
            Type = InteractionCallbackType.UpdateMessage,
            Data = new InteractionCallbackData
            {
                Embeds = [DiscordCardPlatform.RenderEmbed(card)],
                Components = DiscordCardPlatform.Components(card),
                AllowedMentions = NoPings,
            },
        }
        : Render(result.PrivateReply! with { Ephemeral = true });

    private static InteractionResponse Unsupported() => new()
    {
        Type = InteractionCallbackType.ChannelMessageWithSource,
        Data = new InteractionCallbackData { Content = CommandTable.NotOurs(), Flags = MessageFlags.Ephemeral, AllowedMentions = NoPings },
    };

    private static string Cut(string text, int max) => EmbedLimits.Truncate(text.Trim(), max);
}
