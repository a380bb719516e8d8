using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Security;
using DetaineeAlertBot.Workers;

namespace DetaineeAlertBot.Endpoints;

/// <summary>
/// GET /healthz is for load balancers and container health checks, which anyone in front of the bot may reach: it
/// says <c>{"status":"healthy"|"degraded"|"unhealthy"}</c> and nothing else (200, 200, 503). GET /healthz/detail says
/// which part is unwell and why (storage, sources, platforms, outbox, leader); it is answered only to callers
/// <see cref="ManagementAccess"/> allows, and everything in it passes through <see cref="SecretRedactor"/>.
/// </summary>
public static class HealthEndpoints
{
    public const string Path = "/healthz";
    public const string DetailPath = "/healthz/detail";

    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(3);

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet(Path, async (ICaseStore store, HealthRegistry health, CancellationToken cancellationToken) =>
        {
            var storageError = await PingAsync(store, cancellationToken);
            var state = Overall(storageError, health.Snapshot());
            return Results.Json(new { status = Word(state) }, statusCode: StatusCode(state));
        });

        app.MapGet(DetailPath, async (ICaseStore store, IAlertOutbox outbox, HealthRegistry health, CaseCatalog catalog, ILeadership leadership,
            SecretRedactor redactor, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var storageError = await PingAsync(store, cancellationToken);
            OutboxStats? stats = null;
            if (storageError is null)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(StorageTimeout);
                    stats = await outbox.GetStatsAsync(timeout.Token);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    storageError = ex is OperationCanceledException ? $"the outbox could not be counted within {StorageTimeout.TotalSeconds:0} s" : ex.Message;
                }
            }

            var components = health.Snapshot();
            var state = Overall(storageError, components);
            var body = new
            {
                status = Word(state),
                checkedAt = time.GetUtcNow(),
                storage = new { healthy = storageError is null, error = redactor.Redact(storageError) is { Length: > 0 } error ? error : null },
                started = components.Any(c => c.Component == StartupService.StorageComponent),
                leader = new { instance = leadership.InstanceId, isLeader = leadership.IsLeader, detail = redactor.Redact(leadership.Detail) },
                cases = catalog.Count,
                outbox = stats,
                components = components.Select(c => new
                {
                    name = c.Component,
                    status = Word(c.State),
                    healthy = c.Healthy,
                    detail = redactor.Redact(c.Detail),
                    reportedAt = c.ReportedAt,
                    lastSuccessAt = c.LastSuccessAt,
                    lastErrorAt = c.LastErrorAt,
                    lastError = c.LastError is null ? null : redactor.Redact(c.LastError),
                }),
            };
            return Results.Json(body, statusCode: StatusCode(state));
        }).RequireManagementAccess();
        return app;
    }

    /// <summary>Unhealthy when storage does not answer, start-up has not finished, or any component is unhealthy; degraded
    /// when a component is; else healthy.</summary>
    internal static HealthState Overall(string? storageError, IReadOnlyList<ComponentHealth> components)
    {
        var started = components.Any(c => c.Component == StartupService.StorageComponent);
        if (storageError is not null || !started || components.Any(c => c.State == HealthState.Unhealthy)) return HealthState.Unhealthy;
        return components.Any(c => c.State == HealthState.Degraded) ? HealthState.Degraded : HealthState.Healthy;
    }

    private static async Task<string?> PingAsync(ICaseStore store, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StorageTimeout);
        try
        {
            await store.PingAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the database did not answer within {StorageTimeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex.Message;
        }
    }

    private static string Word(HealthState state) => state switch
    {
        HealthState.Healthy => "healthy",
        HealthState.Degraded => "degraded",
        _ => "unhealthy",
    };

    private static int StatusCode(HealthState state) =>
        state == HealthState.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
}
