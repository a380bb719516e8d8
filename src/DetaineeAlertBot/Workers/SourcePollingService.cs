using System.Diagnostics;
using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Sources;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Resilience;
using DetaineeAlertBot.Sources;

namespace DetaineeAlertBot.Workers;

/// <summary>SourcePollingService runs one loop per configured source: fetch, sync, wait for the next change. A
/// failing source backs off (capped, jittered) without touching the others; one iteration's failure never stops
/// the host.</summary>
public sealed class SourcePollingService(
    SourcesOptions options,
    CaseSourceFactory factory,
    SyncPipeline sync,
    HealthRegistry health,
    BotMetrics metrics,
    ILeadership leadership,
    TimeProvider time,
    ILogger<SourcePollingService> logger) : LeaderGatedService(leadership, logger)
{
    /// <summary>1 s, 2 s, 4 s ... capped at 5 min, each with ±20% jitter.</summary>
    internal static readonly Backoff FailureBackoff = new(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));

    public static string Component(string source) => $"source:{source}";

    protected override string Name => "source pollers";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Once per process, on every instance, so whoever reads any instance's log sees it.
        foreach (var warning in options.Warnings()) logger.LogWarning("{Warning}", warning);
        return base.StartAsync(cancellationToken);
    }

    protected override Task RunAsLeaderAsync(CancellationToken stoppingToken, CancellationToken lead)
    {
        var loops = options.Items.Select(item => Task.Run(() => RunSourceAsync(factory.Create(item), stoppingToken), stoppingToken));
        return Task.WhenAll(loops);
    }

    private async Task RunSourceAsync(ICaseSource source, CancellationToken stoppingToken)
    {
        var component = Component(source.Name);
        var failures = 0;
        logger.LogInformation("Watching source {Source} at {Location}", source.Name, source.Location);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                var tag = new KeyValuePair<string, object?>("source", source.Name);
                try
                {
                    var fetch = await source.FetchAsync(stoppingToken);
                    if (fetch.IsModified)
                    {
                        var report = await sync.SyncAsync(source.Name, fetch.Document!.Value, stoppingToken);
                        health.Report(component, report.Succeeded, report.Succeeded
                            ? $"last document applied: {report.Summary}"
                            : $"last document refused, nothing changed: {report.Error}");
                        metrics.SourcePolls.Add(1, tag, new("result", report.Succeeded ? "modified" : "refused"));
                    }
                    else
                    {
                        if (failures > 0) health.Report(component, true, "reachable again; document unchanged");
                        metrics.SourcePolls.Add(1, tag, new("result", "unchanged"));
                    }
                    metrics.SourcePollDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
                    failures = 0;
                    await source.WaitForNextAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    failures++;
                    metrics.SourcePolls.Add(1, tag, new("result", "failed"));
                    metrics.SourcePollDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tag);
                    // The document may not have been applied (e.g. storage down): fetch it whole next time.
                    source.ForgetVersion();
                    var delay = FailureBackoff.Delay(failures);
                    health.Report(component, false, $"{ex.GetType().Name}: {ex.Message}");
                    logger.LogError("Source {Source} ({Location}) failed ({Failures} in a row), retrying in {Delay:0.#} s: {Error}",
                        source.Name, source.Location, failures, delay.TotalSeconds, ex.Message);
                    await Task.Delay(delay, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }
}
