using System.Security.Cryptography;
using System.Text;
using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Storage;
using Microsoft.AspNetCore.Http.Metadata;

namespace DetaineeAlertBot.Endpoints;

/// <summary>POST /api/v1/cases[?source=NAME]: a push source. Bearer key compared in constant time (401 otherwise),
/// body capped (413), then the same sync pipeline as file and HTTP sources. Not mapped when Ingest:ApiKey is empty.</summary>
public static class IngestEndpoints
{
    public const string Path = "/api/v1/cases";

    public static WebApplication MapIngestEndpoints(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IngestOptions>();
        if (!options.Enabled) return app;

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey!));
        var polled = app.Services.GetRequiredService<SourcesOptions>().Items.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        app.MapPost(Path, async (HttpContext context, CaseSyncService sync, CancellationToken cancellationToken) =>
        {
            if (!IsAuthorized(context.Request, expected))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Json(new { error = "missing or wrong bearer key: send Authorization: Bearer <Ingest:ApiKey>" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            var source = context.Request.Query["source"].ToString();
            if (string.IsNullOrWhiteSpace(source)) source = IngestOptions.DefaultSource;
            if (source.Contains(':') || source.Length > 100)
            {
                return Results.Json(new { error = $"source '{source}' is not a valid name (no ':', at most 100 characters)" }, statusCode: StatusCodes.Status400BadRequest);
            }
            if (polled.Contains(source))
            {
                // Mixing pushed documents into a polled source would mark its cases unseen on every push.
                return Results.Json(new { error = $"source '{source}' is polled from configuration; push into another source name" }, statusCode: StatusCodes.Status409Conflict);
            }

            if (context.Request.ContentLength is { } length && length > options.MaxDocumentBytes)
            {
                return TooLarge(options.MaxDocumentBytes);
            }
            var body = await ReadCappedAsync(context.Request.Body, options.MaxDocumentBytes, cancellationToken);
            if (body is null) return TooLarge(options.MaxDocumentBytes);

            SyncReport report;
            try
            {
                // With a shared database, first catch up with what other instances wrote, so the diff is against the truth.
                if (context.RequestServices.GetService<CatalogRefresher>() is { } refresher) await refresher.RefreshAsync(cancellationToken);
                report = await sync.SyncAsync(source, body, cancellationToken);
            }
            catch (Exception ex) when (ex is StorageException or System.Data.Common.DbException)
            {
                // Nothing was stored (one transaction): the pusher should send the document again later.
                context.Response.Headers.RetryAfter = "5";
                return Results.Json(new { source, applied = false, error = $"the database is not available, nothing was stored; send the document again: {ex.Message}" },
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            var rejected = report.Rejections.Select(r => new { index = r.Index, id = r.Id, reason = r.Reason });
            if (!report.Succeeded)
            {
                return Results.Json(new { source, applied = false, error = report.Error, rejected }, statusCode: StatusCodes.Status422UnprocessableEntity);
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
                rejected,
            });
        }).WithMetadata(new RequestSizeLimitAttributeShim(options.MaxDocumentBytes + 1));
        return app;
    }

    private static bool IsAuthorized(HttpRequest request, byte[] expectedHash)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        // Hash both sides so the comparison is constant-time regardless of the presented key's length.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expectedHash);
    }

    private static async Task<byte[]?> ReadCappedAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > max) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static IResult TooLarge(long max) =>
        Results.Json(new { error = $"the document is larger than {max:N0} bytes (Ingest:MaxDocumentBytes); split it or raise the limit" }, statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>Raises Kestrel's own body limit (30 MB by default) to ours, so our 413 with a reason is what clients see.</summary>
    private sealed class RequestSizeLimitAttributeShim(long bytes) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize => bytes;
    }
}
