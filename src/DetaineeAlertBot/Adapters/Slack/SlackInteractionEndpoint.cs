using DetaineeAlertBot.Slack.Models;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// POST /slack/interactions: Slack's Interactivity Request URL (buttons). Signed and checked exactly like /slack/commands
/// (<see cref="SlackSignedRequest"/>: v0 HMAC over the raw body, 5-minute window, replays refused; a bad signature is
/// 401) before the <c>payload=</c> field is parsed. Slack wants the 200 within 3 s, so the click is acknowledged at once
/// and handled after it (bounded by <see cref="HandleWithin"/>), answering through chat.update and the response_url.
/// </summary>
internal static class SlackInteractionEndpoint
{
    public const string Path = "/slack/interactions";

    public static readonly TimeSpan HandleWithin = TimeSpan.FromSeconds(60);

    /// <summary>How long a form's submission may take to answer inline (Slack closes the form with an error after 3 s).</summary>
    public static readonly TimeSpan SubmitWithin = TimeSpan.FromMilliseconds(2500);

    public static async Task<IResult> HandleAsync(HttpContext http, SlackSignedRequest signed, SlackCardClickHandler clicks, SlackForms forms,
        ILogger<SlackCardClickHandler> logger)
    {
        var (body, refusal) = await signed.ReadAsync(http);
        if (refusal is not null)
        {
            return refusal;
        }

        var raw = System.Text.Encoding.UTF8.GetString(body!);
        if (raw.Contains("ssl_check=", StringComparison.Ordinal)) return Results.Ok();
        InteractionPayload payload;
        try
        {
            payload = InteractionPayload.FromFormBody(raw);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or ArgumentException)
        {
            logger.LogWarning("A signed Slack interaction could not be read: {Error}", e.Message);
            return Results.BadRequest();
        }

        if (payload.Type == InteractionPayload.ViewSubmission)
        {
            using var within = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            within.CancelAfter(SubmitWithin);
            var answer = await forms.SubmitAsync(payload, within.Token);
            return answer is null ? Results.Ok() : Results.Json(answer, SlackJson.InteractionResponse);
        }

        _ = Task.Run(async () =>
        {
            using var within = new CancellationTokenSource(HandleWithin);
            try
            {
                await clicks.HandleAsync(payload, within.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Slack interaction {Type} from user {UserId} failed after it was acknowledged", payload.Type, payload.User?.Id);
            }
        }, CancellationToken.None);
        return Results.Ok();
    }
}
