using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.Signing;
using Microsoft.AspNetCore.WebUtilities;

namespace DetaineeAlertBot.Slack;

/// <summary>
/// POST /slack/commands: Slack's slash-command Request URL. The raw body is verified (v0 HMAC-SHA256 with the
/// signing secret, 5-minute window) before anything parses it; a bad signature gets 401. Processing errors are
/// answered 200 with an ephemeral message, never 500, as Slack asks.
/// </summary>
internal static class SlackCommandEndpoint
{
    public const string Path = "/slack/commands";

    // A slash command body is a few hundred bytes; anything near this is not Slack.
    private const int MaxBodyBytes = 64 * 1024;

    public static async Task<IResult> HandleAsync(HttpContext http, SlackRequestVerifier verifier, SlackCommandHandler handler,
        ILogger<SlackCommandHandler> logger)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var body = await ReadBodyAsync(http.Request, http.RequestAborted);
        if (body is null)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var check = verifier.Verify(body,
            http.Request.Headers[SlackRequestVerifier.TimestampHeader].ToString(),
            http.Request.Headers[SlackRequestVerifier.SignatureHeader].ToString());
        if (check != SlackSignatureCheck.Valid)
        {
            logger.LogWarning("Rejected a request to {Path}: signature check {Result}", Path, check);
            return Results.Text("invalid signature", statusCode: StatusCodes.Status401Unauthorized);
        }

        var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body))
            .ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        if (form.ContainsKey("ssl_check"))
        {
            return Results.Ok();
        }

        SlashCommandResponse response;
        try
        {
            response = await handler.HandleAsync(SlashCommand.FromForm(form), http.RequestAborted);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Slack command failed");
            response = new SlashCommandResponse("Sorry, something went wrong while handling that command. Please try again in a minute.");
        }

        return Results.Json(response, SlackJson.SlashCommandResponse);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
