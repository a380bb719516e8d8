using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Security;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// <c>POST /discord/interactions</c>. Before anything is read, the caller must hold one of a bounded number of slots
/// (503 otherwise) and send a plausible signature and a fresh timestamp (401 otherwise: older than 5 minutes or more
/// than 1 minute ahead); the body is capped at 64 KiB; then Ed25519 over <c>X-Signature-Timestamp</c> + the raw body
/// with Discord:PublicKey (401 on failure). An interaction id already handled is not executed again (401), PING gets
/// PONG, and commands are answered inline (200 JSON) or, when deferred, 202.
/// </summary>
public static class DiscordInteractionEndpoint
{
    public const string Path = "/discord/interactions";

    /// <summary>Interactions are a few KiB; anything bigger is not from Discord.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task HandleAsync(
        HttpContext context,
        DiscordSignatureVerifier verifier,
        DiscordInteractionHandler handler,
        UnauthenticatedRequestGate gate,
        ReplayGuard replays,
        TimeProvider time,
        ILogger<DiscordInteractionHandler> logger)
    {
        var received = time.GetTimestamp();
        Interaction? interaction;
        string timestamp;
        using (var slot = gate.TryEnter())
        {
            if (slot is null)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            var signature = context.Request.Headers["X-Signature-Ed25519"].ToString();
            timestamp = context.Request.Headers["X-Signature-Timestamp"].ToString();
            if (!DiscordSignatureVerifier.IsWellFormedSignature(signature) || !DiscordSignatureVerifier.IsFresh(timestamp, time.GetUtcNow()))
            {
                // Discord checks this endpoint with bad signatures on purpose: accepting one gets the URL removed.
                logger.LogDebug("Discord interaction with a missing, malformed or stale signature refused (401) before reading its body");
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            var body = await RequestBody.ReadCappedAsync(context.Request, MaxBodyBytes, context.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return;
            }

            if (!verifier.Verify(signature, timestamp, body))
            {
                logger.LogDebug("Discord interaction with an invalid signature refused (401)");
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return;
            }

            interaction = DiscordJson.ParseInteraction(body);
        }

        if (interaction is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (interaction.Type != InteractionType.Ping)
        {
            // A signed request is only as fresh as its timestamp: remember its id until that expires.
            var until = DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture)) + DiscordSignatureVerifier.MaxAge;
            switch (replays.TryRecord("discord:" + interaction.Id, until))
            {
                case ReplayVerdict.Replayed:
                    logger.LogWarning("A Discord interaction {InteractionId} arrived again with a valid signature: a replay, not executed (401)", interaction.Id);
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                case ReplayVerdict.Full:
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    context.Response.Headers.RetryAfter = "5";
                    return;
            }
        }

        var response = await handler.HandleAsync(interaction, received, InteractionTransport.Http, context.RequestAborted).ConfigureAwait(false);
        if (response is null)
        {
            // Deferred through the callback endpoint; the original request just needs closing.
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(DiscordJson.Serialize(response), context.RequestAborted).ConfigureAwait(false);
    }
}
