using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Health;
using DetaineeAlertBot.Security;
using DetaineeAlertBot.Workers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DetaineeAlertBot.Endpoints;

/// <summary>
/// GET /healthz is for load balancers and container health checks, which anyone in front of the bot may reach: it
/// says <c>{"status":"healthy"|"degraded"|"unhealthy"}</c> and nothing else (200, 200, 503). GET /healthz/detail says
/// which part is unwell and why (storage, sources, platforms, outbox, leader); it is answered only to callers
/// <see cref="ManagementAccess"/> allows, and everything in it passes through <see cref="SecretRedactor"/>. Both are the
/// answer of the health checks (<see cref="HealthSetup"/>): unhealthy when storage does not answer, start-up has not
/// finished or any component is unhealthy; degraded when a component is; else healthy.
/// </summary>
public static class HealthEndpoints
{
    public const string Path = "/healthz";
    public const string DetailPath = "/healthz/detail";

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        // Everything but the detail-only checks: a ping and the components' last reports, no scan.
        app.MapGet(Path, async (HealthCheckService health, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckHealthAsync(r => !r.Tags.Contains(HealthSetup.DetailOnly), cancellationToken);
            return Results.Json(new { status = Word(report.Status) }, statusCode: StatusCode(report.Status));
        });

        app.MapGet(DetailPath, async (HealthCheckService health, CaseCatalog catalog, ILeadership leadership,
            SecretRedactor redactor, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var report = await health.CheckHealthAsync(cancellationToken);
            var storage = report.Entries[StartupService.StorageComponent];
            var outbox = report.Entries[HealthSetup.OutboxCheck];
            // The ping's error first; else the outbox count's (it reads the same database).
            var storageError = storage.Data.TryGetValue(HealthData.StorageError, out var pingError) ? (string)pingError
                : outbox.Status == HealthStatus.Unhealthy ? outbox.Description : null;
            var components = report.Entries.Values
                .SelectMany(e => e.Data.TryGetValue(HealthData.Components, out var reported) ? (IEnumerable<ComponentHealth>)reported : [])
                .OrderBy(c => c.Component, StringComparer.Ordinal);
            var body = new
            {
                status = Word(report.Status),
                checkedAt = time.GetUtcNow(),
                storage = new { healthy = storageError is null, error = redactor.Redact(storageError) is { Length: > 0 } error ? error : null },
                started = storage.Data.TryGetValue(HealthData.Started, out var started) && (bool)started,
                leader = new { instance = leadership.InstanceId, isLeader = leadership.IsLeader, detail = redactor.Redact(leadership.Detail) },
                cases = catalog.Count,
                outbox = outbox.Data.TryGetValue(HealthData.OutboxStats, out var stats) ? (OutboxStats)stats : null,
                components = components.Select(c => new
                {
                    name = c.Component,
                    status = Word(HealthData.ToStatus(c.State)),
                    healthy = c.Healthy,
                    detail = redactor.Redact(c.Detail),
                    reportedAt = c.ReportedAt,
                    lastSuccessAt = c.LastSuccessAt,
                    lastErrorAt = c.LastErrorAt,
                    lastError = c.LastError is null ? null : redactor.Redact(c.LastError),
                }),
            };
            return Results.Json(body, statusCode: StatusCode(report.Status));
        }).RequireManagementAccess();
        return app;
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private static int StatusCode(HealthStatus status) =>
        status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
}
