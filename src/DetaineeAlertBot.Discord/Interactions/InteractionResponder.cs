using System.Diagnostics;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Discord.Interactions;

/// <summary>How an interaction reached us; decides how the initial response travels.</summary>
public enum InteractionTransport
{
    /// <summary>INTERACTION_CREATE on the gateway: every response goes through the callback endpoint.</summary>
    Gateway,
    /// <summary>POST to our endpoint: a quick response is the HTTP answer itself; a deferral is sent via the callback endpoint (answer 202).</summary>
    Http,
}

/// <summary>
/// Answers an interaction within Discord's 3-second window, measured from local receipt: the handler's
/// response if it is ready within <see cref="DeferAfter"/>, otherwise a deferral and, later, the handler's result.
/// </summary>
/// <remarks>
/// <para>The handler's <see cref="InteractionResponse.Type"/> says what the result is: a message
/// (<see cref="InteractionCallbackType.ChannelMessageWithSource"/>, ephemeral with <see cref="MessageFlags.Ephemeral"/>),
/// an update of the message the component is on (<see cref="InteractionCallbackType.UpdateMessage"/>, components and
/// modal submits only), nothing visible (<see cref="InteractionCallbackType.DeferredUpdateMessage"/>, same), or a modal
/// (<see cref="InteractionCallbackType.Modal"/>, commands and components only).</para>
/// <para>Slow commands are deferred with type 5 (ephemeral when asked) and the result replaces <c>@original</c>.
/// Slow components and modal submits are deferred with type 6: an update result then edits the component's message
/// (<c>PATCH …/messages/@original</c>) and a message result becomes a follow-up (<c>POST /webhooks/{app}/{token}</c>,
/// keeping its flags). A modal must be the first response, so a handler that returns one must do so within
/// <see cref="DeferAfter"/>; a late modal is logged and answered with "That took too long, please try again" (ephemeral).</para>
/// <para>A result that is invalid for the interaction (type 7 to a command, a modal to a modal submit, components over
/// the limits of <see cref="ComponentLimits"/>) is logged and replaced by an ephemeral apology.</para>
/// </remarks>
public sealed class InteractionResponder
{
    /// <summary>Autocomplete has no deferred form: answer with no choices rather than too late.</summary>
    private static readonly TimeSpan AutocompleteBudget = TimeSpan.FromMilliseconds(2500);

    /// <summary>Follow-ups must finish within the 15-minute token lifetime.</summary>
    private static readonly TimeSpan FollowUpLimit = TimeSpan.FromMinutes(14);

    private readonly DiscordRestClient _rest;
    private readonly ILogger<InteractionResponder> _logger;
    private readonly TimeProvider _time;

    public InteractionResponder(DiscordRestClient rest, ILogger<InteractionResponder>? logger = null, TimeProvider? time = null)
    {
        _rest = rest;
        _logger = logger ?? NullLogger<InteractionResponder>.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Time after receipt at which a slow command is deferred.</summary>
    public TimeSpan DeferAfter { get; init; } = TimeSpan.FromMilliseconds(1500);

    /// <summary>
    /// Runs <paramref name="handler"/> and responds. Returns the response to write as the HTTP answer
    /// (<see cref="InteractionTransport.Http"/> only), or null when the response went through the callback endpoint
    /// (HTTP: answer 202 with no body).
    /// </summary>
    /// <param name="receivedTimestamp">From <see cref="TimeProvider.GetTimestamp"/> when the interaction arrived.</param>
    /// <param name="ephemeralIfDeferred">Ephemerality is fixed when deferring, before the reply is known.</param>
    public async Task<InteractionResponse?> RespondAsync(
        Interaction interaction,
        long receivedTimestamp,
        InteractionTransport transport,
        bool ephemeralIfDeferred,
        Func<CancellationToken, Task<InteractionResponse>> handler,
        CancellationToken ct)
    {
        if (interaction.Type == InteractionType.Ping)
        {
            return await Deliver(interaction, transport, new InteractionResponse { Type = InteractionCallbackType.Pong }, ct).ConfigureAwait(false);
        }

        // The handler may outlive the HTTP request that brought the interaction, so it gets its own bounded token.
        var handlerCts = new CancellationTokenSource(FollowUpLimit, _time);
        var work = RunHandlerAsync(interaction, handler, handlerCts.Token);
        var budget = (interaction.Type == InteractionType.ApplicationCommandAutocomplete ? AutocompleteBudget : DeferAfter)
            - _time.GetElapsedTime(receivedTimestamp);

        // Out of budget already (e.g. the dispatch waited in a queue): do not wait for the handler at all.
        if (budget > TimeSpan.Zero
            && (work.IsCompleted || await Task.WhenAny(work, Task.Delay(budget, _time, ct)).ConfigureAwait(false) == work))
        {
            handlerCts.Dispose();
            return await Deliver(interaction, transport, await work.ConfigureAwait(false), ct).ConfigureAwait(false);
        }

        if (interaction.Type == InteractionType.ApplicationCommandAutocomplete)
        {
            handlerCts.Dispose();
            _logger.LogWarning("Discord autocomplete for /{Command} took longer than {Budget}; answered with no choices", interaction.Data?.Name, AutocompleteBudget);
            return await Deliver(interaction, transport, new InteractionResponse
            {
                Type = InteractionCallbackType.ApplicationCommandAutocompleteResult,
                Data = new InteractionCallbackData { Choices = [] },
            }, ct).ConfigureAwait(false);
        }

        var deferredUpdate = IsComponentLike(interaction);
        var deferral = deferredUpdate
            ? new InteractionResponse { Type = InteractionCallbackType.DeferredUpdateMessage }
            : new InteractionResponse
            {
                Type = InteractionCallbackType.DeferredChannelMessageWithSource,
                Data = ephemeralIfDeferred ? new InteractionCallbackData { Flags = MessageFlags.Ephemeral } : null,
            };
        try
        {
            await _rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, deferral, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DiscordApiException or HttpRequestException or TimeoutException)
        {
            await handlerCts.CancelAsync().ConfigureAwait(false);
            handlerCts.Dispose();
            LogResponseFailure(interaction, e);
            throw;
        }

        _logger.LogDebug("Discord interaction {Id} deferred after {Elapsed}", interaction.Id, _time.GetElapsedTime(receivedTimestamp));
        _ = FollowUpAsync(interaction, work, handlerCts, deferredUpdate);
        return null;
    }

    private async Task<InteractionResponse?> Deliver(Interaction interaction, InteractionTransport transport, InteractionResponse response, CancellationToken ct)
    {
        if (transport == InteractionTransport.Http)
        {
            return response;
        }

        try
        {
            await _rest.CreateInteractionResponseAsync(interaction.Id, interaction.Token, response, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DiscordApiException or HttpRequestException or TimeoutException)
        {
            LogResponseFailure(interaction, e);
            throw;
        }

        return null;
    }

    private async Task FollowUpAsync(Interaction interaction, Task<InteractionResponse> work, CancellationTokenSource handlerCts, bool deferredUpdate)
    {
        using (handlerCts)
        {
            try
            {
                var response = await work.ConfigureAwait(false);
                if (response.Type == InteractionCallbackType.Modal)
                {
                    _logger.LogWarning("Discord interaction {Id} ({What}): the handler returned a modal after the deferral; a modal must be the " +
                        "first response, so the user is asked to try again", interaction.Id, Describe(interaction));
                    response = TooLate;
                }

                var data = response.Data ?? new InteractionCallbackData { Content = "Done." };
                if (deferredUpdate && response.Type == InteractionCallbackType.ChannelMessageWithSource)
                {
                    // A new message next to the component's one: a follow-up, with its own flags (ephemeral or not).
                    await _rest.CreateFollowupMessageAsync(interaction.ApplicationId, interaction.Token, data with { Choices = null }, handlerCts.Token)
                        .ConfigureAwait(false);
                }
                else if (deferredUpdate && (response.Type == InteractionCallbackType.DeferredUpdateMessage || response.Data is null))
                {
                    // Nothing to change on the component's message.
                }
                else
                {
                    // After type 5, @original is the deferred reply; after type 6, the component's message. Flags are fixed by the
                    // deferral; the edit carries content, embeds, components and mentions only.
                    await _rest.EditOriginalInteractionResponseAsync(interaction.ApplicationId, interaction.Token, data with { Flags = null, Choices = null }, handlerCts.Token)
                        .ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is DiscordApiException or HttpRequestException or TimeoutException or OperationCanceledException or DiscordClientStoppedException or ArgumentException)
            {
                LogResponseFailure(interaction, e);
            }
        }
    }

    private static readonly InteractionResponse TooLate = new()
    {
        Type = InteractionCallbackType.ChannelMessageWithSource,
        Data = new InteractionCallbackData
        {
            Content = "That took too long, please try again.",
            Flags = MessageFlags.Ephemeral,
            AllowedMentions = AllowedMentions.None,
        },
    };

    private static bool IsComponentLike(Interaction interaction) =>
        interaction.Type is InteractionType.MessageComponent or InteractionType.ModalSubmit;

    /// <summary>Why <paramref name="response"/> cannot answer <paramref name="interaction"/>, or null when it can.</summary>
    private static string? Invalid(Interaction interaction, InteractionResponse response)
    {
        switch (response.Type)
        {
            case InteractionCallbackType.DeferredUpdateMessage or InteractionCallbackType.UpdateMessage when !IsComponentLike(interaction):
                return $"callback type {response.Type} is only valid for components and modal submits";
            case InteractionCallbackType.Modal when interaction.Type is not (InteractionType.ApplicationCommand or InteractionType.MessageComponent):
                return "a modal can only answer a command or a component";
        }

        try
        {
            ComponentLimits.Validate(response);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    private static string Describe(Interaction interaction) => interaction.Type switch
    {
        InteractionType.MessageComponent => $"component {interaction.Data?.CustomId}",
        InteractionType.ModalSubmit => $"modal {interaction.Data?.CustomId}",
        _ => $"/{interaction.Data?.Name}",
    };

    private async Task<InteractionResponse> RunHandlerAsync(Interaction interaction, Func<CancellationToken, Task<InteractionResponse>> handler, CancellationToken ct)
    {
        try
        {
            // Yield first so a synchronous handler cannot hold the caller past the deadline check.
            await Task.Yield();
            var response = await handler(ct).ConfigureAwait(false);
            if (interaction.Type != InteractionType.ApplicationCommandAutocomplete && Invalid(interaction, response) is { } problem)
            {
                throw new ArgumentException($"The handler's response cannot be sent: {problem}");
            }

            return response;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Discord interaction handler for {What} failed", Describe(interaction));
            return interaction.Type == InteractionType.ApplicationCommandAutocomplete
                ? new InteractionResponse { Type = InteractionCallbackType.ApplicationCommandAutocompleteResult, Data = new InteractionCallbackData { Choices = [] } }
                : new InteractionResponse
                {
                    Type = InteractionCallbackType.ChannelMessageWithSource,
                    Data = new InteractionCallbackData
                    {
                        Content = "Sorry, something went wrong while answering. Please try again in a moment.",
                        Flags = MessageFlags.Ephemeral,
                        AllowedMentions = AllowedMentions.None,
                    },
                };
        }
    }

    private void LogResponseFailure(Interaction interaction, Exception e)
    {
        switch (e)
        {
            case DiscordApiException { Code: DiscordApiException.UnknownInteraction }:
                _logger.LogError("Discord interaction {Id} ({What}) expired before we answered (10062): the first response must come within 3 s",
                    interaction.Id, Describe(interaction));
                break;
            case DiscordApiException { Code: DiscordApiException.InteractionAlreadyAcknowledged }:
                _logger.LogWarning("Discord interaction {Id} ({What}) was already answered (40060)", interaction.Id, Describe(interaction));
                break;
            default:
                _logger.LogError(e, "Discord response to interaction {Id} ({What}) failed", interaction.Id, Describe(interaction));
                break;
        }
    }
}
