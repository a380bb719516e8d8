using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Security;
using DetaineeAlertBot.Storage;
using Microsoft.AspNetCore.Http.Metadata;

namespace DetaineeAlertBot.Endpoints;

/// <summary>POST /api/v1/cases[?source=NAME]: a push source. Before anything is read: a bounded number of callers at once
/// (503), an address that guessed wrong keys too often waits (429), and the bearer key is compared in constant time
/// (401). Only then is the source name checked (404 unless in Ingest:Sources, 409 for a polled source), the body capped
/// (413), and the document run through the same sync pipeline as file and HTTP sources. Not mapped when Ingest:ApiKey
/// is empty.</summary>
public static class IngestEndpoints
{
    public const string Path = "/api/v1/cases";

    public static WebApplication MapIngestEndpoints(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IngestOptions>();
        if (!options.Enabled) return app;

        var key = new BearerKey(options.ApiKey);
        var pushable = options.Sources.ToHashSet(StringComparer.Ordinal);
        var polled = app.Services.GetRequiredService<SourcesOptions>().Items.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        app.MapPost(Path, async (HttpContext context, SyncPipeline sync, UnauthenticatedRequestGate gate, AuthFailureThrottle throttle,
            SecretRedactor redactor, CancellationToken cancellationToken) =>
        {
            var caller = context.Connection.RemoteIpAddress;
            byte[]? body;
            string source;
            using (var slot = gate.TryEnter())
            {
                if (slot is null)
                {
                    context.Response.Headers.RetryAfter = "1";
                    return Results.Json(new { error = "too many requests are being checked right now; try again in a second" }, statusCode: StatusCodes.Status503ServiceUnavailable);
                }

                if (throttle.RetryAfter(caller) is { } wait)
                {
                    context.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return Results.Json(new { error = $"too many wrong keys from this address; try again in {Math.Ceiling(wait.TotalSeconds):0} s" },
                        statusCode: StatusCodes.Status429TooManyRequests);
                }

                if (!key.Matches(context.Request))
                {
                    throttle.RecordFailure(caller);
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return Results.Json(new { error = "missing or wrong bearer key: send Authorization: Bearer <Ingest:ApiKey>" }, statusCode: StatusCodes.Status401Unauthorized);
                }

                throttle.RecordSuccess(caller);
                source = context.Request.Query["source"].ToString();
                if (string.IsNullOrWhiteSpace(source)) source = IngestOptions.DefaultSource;
                if (polled.Contains(source))
                {
                    // Mixing pushed documents into a polled source would mark its cases unseen on every push.
                    return Results.Json(new { error = $"source '{Shorten(source)}' is polled from configuration (Sources:N:Name); push into one of: {string.Join(", ", options.Sources)}" },
                        statusCode: StatusCodes.Status409Conflict);
                }

                if (!pushable.Contains(source))
                {
                    // A push never creates a source: a new one would be baselined silently, and could then forge alerts.
                    return Results.Json(new
                    {
                        error = $"source '{Shorten(source)}' is not a push source; nothing was changed. Push into one of: {string.Join(", ", options.Sources)}, "
                            + "or add the name to Ingest:Sources and restart",
                    }, statusCode: StatusCodes.Status404NotFound);
                }

                body = await RequestBody.ReadCappedAsync(context.Request, options.MaxDocumentBytes, cancellationToken);
                if (body is null) return TooLarge(options.MaxDocumentBytes);
            }

            SyncReport report;
            try
            {
                report = await sync.SyncAsync(source, body, cancellationToken);
            }
            catch (Exception ex) when (ex is StorageException or System.Data.Common.DbException)
            {
                // Nothing was stored (one transaction): the pusher should send the document again later.
                context.Response.Headers.RetryAfter = "5";
                return Results.Json(new { source, applied = false, error = $"the database is not available, nothing was stored; send the document again: {redactor.Redact(ex.Message)}" },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            var rejected = report.Rejections.Select(r => new { index = r.Index, id = r.Id, reason = r.Reason });
            if (!report.Succeeded)
            {
                return Results.Json(new { source, applied = false, error = report.Error, rejected, rejectedCount = report.RejectedCount }, statusCode: StatusCodes.Status422UnprocessableEntity);
            }
            return Results.Json(new
            {
                source,
                applied = true,
                baseline = report.Baseline,
                accepted = report.Accepted,
                created = report.New,
                statusChanges = report.StatusChanges,
                detailChanges = report.DetailChanges,
                notSeen = report.NotSeen,
                alertsQueued = report.AlertsQueued,
                rejectedCount = report.RejectedCount,
                rejected, // the first FeedParseResult.MaxRejectionsKept only
            });
        }).WithMetadata(new RequestSizeLimitAttributeShim(options.MaxDocumentBytes + 1));
        return app;
    }

    // The name comes from the caller: cleaned, so an ESC or a bidi override in it cannot reach a terminal.
    private static string Shorten(string text)
    {
        var clean = UntrustedText.CleanLine(text);
        return clean.Length <= 100 ? clean : clean[..100] + "…";
    }

    private static IResult TooLarge(long max) =>
        Results.Json(new { error = $"the document is larger than {max:N0} bytes (Ingest:MaxDocumentBytes); split it or raise the limit" }, statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>Raises Kestrel's own body limit (30 MB by default) to ours, so our 413 with a reason is what clients see.</summary>
    private sealed class RequestSizeLimitAttributeShim(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
