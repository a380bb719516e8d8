using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord;

/// <summary>
/// <c>POST /discord/interactions</c>: Ed25519 over <c>X-Signature-Timestamp</c> + the raw body with Discord:PublicKey,
/// 401 on any verification failure, PING → PONG, commands answered inline (200 JSON) or, when deferred, 202.
/// </summary>
public static class DiscordInteractionEndpoint
{
    public const string Path = "/discord/interactions";

    /// <summary>Interactions are small; anything bigger is not from Discord.</summary>
    private const int MaxBodyBytes = 1024 * 1024;

    public static async Task HandleAsync(
        HttpContext context,
        DiscordSignatureVerifier verifier,
        DiscordInteractionHandler handler,
        TimeProvider time,
        ILogger<DiscordInteractionHandler> logger)
    {
        var received = time.GetTimestamp();
        var body = await ReadBodyAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        var signature = context.Request.Headers["X-Signature-Ed25519"].ToString();
        var timestamp = context.Request.Headers["X-Signature-Timestamp"].ToString();
        if (body is null || !verifier.Verify(signature, timestamp, body))
        {
            // Discord checks this endpoint with bad signatures on purpose: accepting one gets the URL removed.
            logger.LogDebug("Discord interaction with a missing or invalid signature refused (401)");
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (DiscordJson.ParseInteraction(body) is not { } interaction)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
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

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
