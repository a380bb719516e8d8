using DetaineeAlertBot.Slack.Models;
using Microsoft.AspNetCore.WebUtilities;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// POST /slack/commands: Slack's slash-command Request URL. <see cref="SlackSignedRequest"/> verifies the raw body
/// (v0 HMAC-SHA256, 5-minute window, replays refused) before anything parses it; a bad signature gets 401. Processing
/// errors are answered 200 with an ephemeral message, never 500, as Slack asks.
/// </summary>
internal static class SlackCommandEndpoint
{
    public const string Path = "/slack/commands";

    public static async Task<IResult> HandleAsync(HttpContext http, SlackSignedRequest signed, SlackCommandHandler handler,
        ILogger<SlackCommandHandler> logger)
    {
        var (body, refusal) = await signed.ReadAsync(http);
        if (refusal is not null)
        {
            return refusal;
        }

        var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body!))
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
}
