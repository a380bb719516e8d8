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
    IAlertOutbox outbox,
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

        var now = time.GetUtcNow();
        // Bind old source-less rows first, so an admin's earlier removal still blocks the (now bound) seed.
        await BindAnySourceEntriesAsync(now, cancellationToken);
        var seeded = await watchlists.SeedAsync(seeds.ToEntries(now), cancellationToken);
        if (seeded > 0) logger.LogInformation("Seeded {Count} watchlist entr{Plural} from configuration", seeded, seeded == 1 ? "y" : "ies");

        if (StorageSetup.IsSqlite(storage))
        {
            // SQLite runs one instance: a row still "sending" can only be left over from a crash of this bot.
            var released = await outbox.ReleaseAllLeasesAsync(cancellationToken);
            if (released > 0) logger.LogWarning("{Count} alert(s) were mid-send when the bot last stopped; they are queued again", released);
        }
        health.Report(StorageComponent, true, $"{storage.Provider} ready");
    }

    /// <summary>Earlier versions stored bare-id seeds as matching any source ('*'); such an entry would also match a source
    /// created later. They are bound to the one configured source now, or left inert (they match nothing) with a warning.</summary>
    private async Task BindAnySourceEntriesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (seeds.KnownSources is [var only])
        {
            var bound = await watchlists.BindAnySourceAsync(only, now, cancellationToken);
            if (bound > 0) logger.LogInformation("Bound {Count} watchlist entr{Plural} stored without a source to source {Source}", bound, bound == 1 ? "y" : "ies", only);
            return;
        }

        var unbound = await watchlists.CountAnySourceAsync(cancellationToken);
        if (unbound > 0)
        {
            logger.LogWarning("{Count} stored watchlist entr{Plural} name no source and match nothing while {Sources} sources are configured: "
                + "add them again with /watchlist add, or list them as source:id in Watchlists:N:Cases", unbound, unbound == 1 ? "y" : "ies", seeds.KnownSources.Count);
        }
    }

    /// <summary>Fills the catalog from the store; the snapshot is garbage once this returns.</summary>
    private async Task<(int Cases, int Sources)> LoadCatalogAsync(CancellationToken cancellationToken)
    {
        var snapshot = await cases.LoadAsync(cancellationToken);
        catalog.Load(snapshot);
        return (snapshot.Cases.Count, snapshot.Sources.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
