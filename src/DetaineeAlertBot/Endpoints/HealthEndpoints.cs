using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Workers;

namespace DetaineeAlertBot.Endpoints;

/// <summary>GET /healthz: 200 when storage answers and every component's last report is healthy, else 503; the JSON
/// body says which part is unhealthy and why.</summary>
public static class HealthEndpoints
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(3);

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", async (ICaseStore store, IAlertOutbox outbox, HealthRegistry health, CaseCatalog catalog, ILeadership leadership, TimeProvider time, CancellationToken cancellationToken) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StorageTimeout);
            string? storageError = null;
            OutboxStats? stats = null;
            try
            {
                await store.PingAsync(timeout.Token);
                stats = await outbox.GetStatsAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                storageError = $"the database did not answer within {StorageTimeout.TotalSeconds:0} s";
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                storageError = ex.Message;
            }

            var components = health.Snapshot();
            var started = components.Any(c => c.Component == StartupService.StorageComponent);
            var healthy = storageError is null && started && components.All(c => c.Healthy);
            var body = new
            {
                status = healthy ? "healthy" : "unhealthy",
                checkedAt = time.GetUtcNow(),
                storage = new { healthy = storageError is null, error = storageError },
                started,
                leader = new { instance = leadership.InstanceId, isLeader = leadership.IsLeader, detail = leadership.Detail },
                cases = catalog.Count,
                outbox = stats,
                components = components.Select(c => new
                {
                    name = c.Component,
                    healthy = c.Healthy,
                    detail = c.Detail,
                    reportedAt = c.ReportedAt,
                    lastSuccessAt = c.LastSuccessAt,
                    lastErrorAt = c.LastErrorAt,
                    lastError = c.LastError,
                }),
            };
            return Results.Json(body, statusCode: healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }
}
