using DetaineeAlertBot.Core.Sync;

namespace DetaineeAlertBot.Cluster;

/// <summary>CatalogRefreshService runs <see cref="CatalogRefresher"/> on every instance of a shared database: it
/// takes the mark before the start-up load (it is registered before StartupService) and refreshes on a timer.</summary>
public sealed class CatalogRefreshService(
    CatalogRefresher refresher, ClusterOptions options, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<CatalogRefreshService> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await refresher.InitializeAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Could not read the history mark before loading the catalog ({Error}); the first refresh reads all history", ex.Message);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Not before the start-up load: a refresh older than the load must not overwrite it.
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            {
                await started.Task.WaitAsync(stoppingToken);
            }
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await refresher.RefreshAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Catalog refresh failed, trying again in {Interval}: {Error}", options.CatalogRefreshInterval, ex.Message);
                }
                await Task.Delay(options.CatalogRefreshInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
