using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Workers;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DetaineeAlertBot.Health;

/// <summary>What every check puts in <see cref="HealthCheckResult.Data"/>, for /healthz/detail.</summary>
public static class HealthData
{
    /// <summary>The <see cref="ComponentHealth"/> reports a check stands for (listed under "components").</summary>
    public const string Components = "components";

    /// <summary>Storage: the ping's error, when the database did not answer.</summary>
    public const string StorageError = "storageError";

    /// <summary>Storage: whether start-up (migrate, load, seed) has finished.</summary>
    public const string Started = "started";

    /// <summary>Outbox: the <see cref="OutboxStats"/>.</summary>
    public const string OutboxStats = "outboxStats";

    public static HealthStatus ToStatus(HealthState state) => state switch
    {
        HealthState.Healthy => HealthStatus.Healthy,
        HealthState.Degraded => HealthStatus.Degraded,
        _ => HealthStatus.Unhealthy,
    };

    internal static IReadOnlyDictionary<string, object> With(params ComponentHealth?[] reports) =>
        new Dictionary<string, object> { [Components] = reports.Where(r => r is not null).Select(r => r!).ToArray() };
}

/// <summary>One component's health as its long-running service last reported it (<see cref="HealthRegistry"/>): a source,
/// the dispatcher, a platform's token, gateway or socket. A component that has not reported yet is healthy and not listed.</summary>
public sealed class ReportedComponentCheck(HealthRegistry registry, string component) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = registry.Get(component);
        var result = report is null
            ? HealthCheckResult.Healthy("not reported yet", HealthData.With())
            : new HealthCheckResult(HealthData.ToStatus(report.State), report.Detail, data: HealthData.With(report));
        return Task.FromResult(result);
    }
}

/// <summary>Reports of components no other check stands for, so a component added without its check still counts, as
/// every report did before each component had a check of its own.</summary>
public sealed class UnclaimedComponentsCheck(HealthRegistry registry, IReadOnlySet<string> claimed) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reports = registry.Snapshot().Where(c => !claimed.Contains(c.Component)).ToArray();
        var worst = reports.Length == 0 ? HealthState.Healthy : reports.Max(c => c.State);
        return Task.FromResult(new HealthCheckResult(HealthData.ToStatus(worst), $"{reports.Length} component(s)", data: HealthData.With(reports)));
    }
}

/// <summary>Storage: the database answers a ping within <see cref="Timeout"/>, and start-up has finished (its
/// "storage" report, <see cref="StartupService.StorageComponent"/>). One round trip, no scan.</summary>
public sealed class StorageHealthCheck(ICaseStore store, HealthRegistry registry) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var error = await PingAsync(cancellationToken);
        var started = registry.Get(StartupService.StorageComponent);
        var data = new Dictionary<string, object>(HealthData.With(started)) { [HealthData.Started] = started is not null };
        if (error is not null) data[HealthData.StorageError] = error;
        if (error is not null) return HealthCheckResult.Unhealthy(error, data: data);
        if (started is null) return HealthCheckResult.Unhealthy("start-up has not finished", data: data);
        return new HealthCheckResult(HealthData.ToStatus(started.State), started.Detail, data: data);
    }

    private async Task<string?> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await store.PingAsync(timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the database did not answer within {Timeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex.Message;
        }
    }
}

/// <summary>The outbox counts for /healthz/detail only (tagged <see cref="HealthSetup.DetailOnly"/>): index range scans,
/// 2.2 ms with a million rows (docs/benchmarks.md), but not something every load-balancer probe should pay for.</summary>
public sealed class OutboxHealthCheck(IAlertOutbox outbox) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StorageHealthCheck.Timeout);
        try
        {
            var stats = await outbox.GetStatsAsync(timeout.Token);
            return HealthCheckResult.Healthy(data: new Dictionary<string, object> { [HealthData.OutboxStats] = stats });
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy(ex is OperationCanceledException
                ? $"the outbox could not be counted within {StorageHealthCheck.Timeout.TotalSeconds:0} s"
                : ex.Message);
        }
    }
}
