using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Storage;

namespace DetaineeAlertBot.Workers;

/// <summary>StartupService prepares storage before any loop runs: applies migrations, loads every stored case into
/// the catalog (and search index), seeds configured watchlists, and on single-instance SQLite returns rows a crash
/// left mid-send to the queue so they go out now.</summary>
public sealed class StartupService(
    ICaseStore cases,
    IWatchlistStore watchlists,
    ICardStore cards,
    IRuleStore rules,
    IDigestStore digests,
    StorageDatabase database,
    AlertDispatcher dispatcher,
    AdminReporter reporter,
    CaseCatalog catalog,
    StorageOptions storage,
    WatchlistSeeds seeds,
    HealthRegistry health,
    TimeProvider time,
    ILogger<StartupService> logger) : IHostedService
{
    public const string StorageComponent = "storage";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await cases.MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new StartupException(
                $"the {storage.Provider} database could not be opened or migrated: {ex.Message} "
                + "Check Storage:Provider and Storage:ConnectionString (and that the database server is running).", ex);
        }

        var (loadedCases, loadedSources) = await LoadCatalogAsync(cancellationToken);
        // Loading 100k cases leaves a lot of garbage behind; collect it once now and give the memory back to the OS,
        // so the bot's resident size is what the catalog needs (docs/benchmarks.md).
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        logger.LogInformation("Loaded {Cases} case(s) from {Sources} source(s) out of {Provider} storage", loadedCases, loadedSources, storage.Provider);

        await seeds.SeedAsync(watchlists, time.GetUtcNow(), logger, cancellationToken);
        await seeds.SeedStylesAsync(cards, time.GetUtcNow(), logger, cancellationToken);
        await seeds.SeedRulesAsync(rules, time.GetUtcNow(), logger, cancellationToken);
        await seeds.SeedDigestsAsync(digests, time.GetUtcNow(), logger, cancellationToken);

        // Rows a crash left mid-send need nothing here: the dispatcher's new delivery term takes them over and checks
        // whether they arrived before sending them again.
        await WarnAboutWaitingPlatformsAsync(cancellationToken);
        health.Report(StorageComponent, true, $"{storage.Provider} ready");
    }

    /// <summary>Watchlist entries and admin channels on a platform without credentials: their alerts wait (never printed,
    /// never marked sent). Say so once at start, naming them and the missing key; /healthz says it until it is fixed.</summary>
    private async Task WarnAboutWaitingPlatformsAsync(CancellationToken cancellationToken)
    {
        foreach (var platform in new[] { Platforms.Discord, Platforms.Slack }.Where(p => !dispatcher.SendingPlatforms.Contains(p)))
        {
            var waiting = await watchlists.ListPlatformAsync(platform, 1000, cancellationToken);
            var admin = reporter.Targets.Where(t => t.Platform == platform).ToArray();
            if (waiting.Count == 0 && admin.Length == 0) continue;
            var key = platform == Platforms.Slack ? "Slack:BotToken" : "Discord:BotToken";
            var named = string.Join(", ", waiting.Take(20).Select(e => $"{e.ChannelId} → {e.CaseSource}:{e.CaseId}"))
                + (waiting.Count > 20 ? $" and {waiting.Count - 20} more" : "");
            logger.LogWarning(
                "{Key} is not set, so nothing is sent to {Platform}: alerts for {Count} watchlist entr{Plural} ({Entries}){Admin} wait until it is set and the bot restarted",
                key, platform, waiting.Count, waiting.Count == 1 ? "y" : "ies", named,
                admin.Length > 0 ? $" and {admin.Length} admin channel(s)" : "");
            // The component carries the platform's name, as it would if the platform were configured.
            health.Report(platform, false, $"{key} is not set: alerts for {waiting.Count} watchlist entr{(waiting.Count == 1 ? "y" : "ies")}"
                + (admin.Length > 0 ? $" and {admin.Length} admin channel(s)" : "") + " wait, neither sent nor printed, until it is set");
        }
    }

    /// <summary>Fills the catalog from the store; the snapshot is garbage once this returns.</summary>
    private async Task<(int Cases, int Sources)> LoadCatalogAsync(CancellationToken cancellationToken)
    {
        var snapshot = await cases.LoadAsync(cancellationToken);
        catalog.Load(snapshot);
        return (snapshot.Cases.Count, snapshot.Sources.Count);
    }

    /// <summary>Stops last (registered first): the dispatcher and pollers have finished, so the WAL can be folded back.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!await database.CheckpointAsync(cancellationToken))
                logger.LogWarning("The SQLite WAL checkpoint could not complete on stop (a reader was busy); it completes at the next start");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("The SQLite WAL checkpoint failed on stop: {Error}", ex.Message);
        }
    }
}
