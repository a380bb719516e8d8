using DetaineeAlertBot.Security;
using DetaineeAlertBot.Slack.Signing;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// The pre-authentication steps every Slack request URL shares (/slack/commands, /slack/interactions): hold one of a
/// bounded number of slots (503 when none is free), check the signature headers and the timestamp window before
/// reading anything (401), read at most 64 KiB (413), verify the v0 HMAC over the raw body (401), and refuse a
/// signature already used within its window (401: a captured request sent again). Only then is the body parsed.
/// </summary>
public sealed class SlackSignedRequest(SlackRequestVerifier verifier, UnauthenticatedRequestGate gate, ReplayGuard replays, ILogger<SlackSignedRequest> logger)
{
    /// <summary>A slash command or interaction payload is a few KiB; anything near this is not Slack.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The verified raw body, or the answer to give instead.</summary>
    public async Task<(byte[]? Body, IResult? Refusal)> ReadAsync(HttpContext http)
    {
        using var slot = gate.TryEnter();
        if (slot is null)
        {
            http.Response.Headers.RetryAfter = "1";
            return (null, Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
        }

        var timestamp = http.Request.Headers[SlackRequestVerifier.TimestampHeader].ToString();
        var signature = http.Request.Headers[SlackRequestVerifier.SignatureHeader].ToString();
        var headers = verifier.CheckHeaders(timestamp, signature);
        if (headers != SlackSignatureCheck.Valid) return (null, Unauthorized(http, headers.ToString()));

        var body = await RequestBody.ReadCappedAsync(http.Request, MaxBodyBytes, http.RequestAborted).ConfigureAwait(false);
        if (body is null) return (null, Results.StatusCode(StatusCodes.Status413PayloadTooLarge));

        var check = verifier.Verify(body, timestamp, signature);
        if (check != SlackSignatureCheck.Valid) return (null, Unauthorized(http, check.ToString()));

        // The signature covers timestamp and body, so it names this request: remember it while the timestamp is valid.
        var until = DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture)) + SlackRequestVerifier.MaxClockSkew;
        switch (replays.TryRecord("slack:" + signature, until))
        {
            case ReplayVerdict.Replayed:
                logger.LogWarning("A signed request to {Path} arrived a second time: a replay, not executed (401)", http.Request.Path.Value);
                return (null, Results.Text("replayed request", statusCode: StatusCodes.Status401Unauthorized));
            case ReplayVerdict.Full:
                http.Response.Headers.RetryAfter = "5";
                return (null, Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
            default:
                return (body, null);
        }
    }

    private IResult Unauthorized(HttpContext http, string reason)
    {
        logger.LogWarning("Rejected a request to {Path}: signature check {Result}", http.Request.Path.Value, reason);
        return Results.Text("invalid signature", statusCode: StatusCodes.Status401Unauthorized);
    }
}
