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
/// response if it is ready within <see cref="DeferAfter"/>, otherwise a deferral (type 5) followed by
/// <c>PATCH …/messages/@original</c> with the handler's result.
/// </summary>
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

        var deferral = new InteractionResponse
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
        _ = FollowUpAsync(interaction, work, handlerCts);
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

    private async Task FollowUpAsync(Interaction interaction, Task<InteractionResponse> work, CancellationTokenSource handlerCts)
    {
        using (handlerCts)
        {
            try
            {
                var response = await work.ConfigureAwait(false);
                var data = response.Data ?? new InteractionCallbackData { Content = "Done." };
                // Flags are fixed by the deferral; the edit carries content, embeds and mentions only.
                await _rest.EditOriginalInteractionResponseAsync(interaction.ApplicationId, interaction.Token, data with { Flags = null, Choices = null }, handlerCts.Token)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (e is DiscordApiException or HttpRequestException or TimeoutException or OperationCanceledException or DiscordClientStoppedException)
            {
                LogResponseFailure(interaction, e);
            }
        }
    }

    private async Task<InteractionResponse> RunHandlerAsync(Interaction interaction, Func<CancellationToken, Task<InteractionResponse>> handler, CancellationToken ct)
    {
        try
        {
            // Yield first so a synchronous handler cannot hold the caller past the deadline check.
            await Task.Yield();
            return await handler(ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Discord interaction handler for /{Command} failed", interaction.Data?.Name);
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
                _logger.LogError("Discord interaction {Id} (/{Command}) expired before we answered (10062): the first response must come within 3 s",
                    interaction.Id, interaction.Data?.Name);
                break;
            case DiscordApiException { Code: DiscordApiException.InteractionAlreadyAcknowledged }:
                _logger.LogWarning("Discord interaction {Id} (/{Command}) was already answered (40060)", interaction.Id, interaction.Data?.Name);
                break;
            default:
                _logger.LogError(e, "Discord response to interaction {Id} (/{Command}) failed", interaction.Id, interaction.Data?.Name);
                break;
        }
    }
}
