using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers one <see cref="StorageDatabase"/> for <paramref name="options"/> and the stores on it as
    /// singletons: <see cref="ICaseStore"/>, <see cref="IWatchlistStore"/>, <see cref="IAlertOutbox"/>, <see cref="ICardStore"/>, <see cref="IRuleStore"/>, <see cref="IDigestStore"/>, <see cref="IFlapSettler"/>. The host still
    /// calls <see cref="ICaseStore.MigrateAsync"/> at start. The database is built on first use (the container
    /// disposes it), so an unknown provider fails then, with Storage:Provider named.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddStorage(_ => options);
    }

    /// <summary>As <see cref="AddStorage(IServiceCollection, StorageOptions)"/>, with the options resolved when the database
    /// is first used (a host's validated <c>IOptions</c>), so registering reads no configuration.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, Func<IServiceProvider, StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(provider => StorageDatabase.Create(options(provider), provider.GetService<TimeProvider>()));
        // Alerts:FlapThreshold and Alerts:FlapWindow, when the host registered them; else the contract's defaults.
        services.AddSingleton<ICaseStore>(provider => new CaseStore(provider.GetRequiredService<StorageDatabase>(), provider.GetService<FlapPolicy>()));
        services.AddSingleton<IFlapSettler>(provider => (IFlapSettler)provider.GetRequiredService<ICaseStore>());
        services.AddSingleton<IWatchlistStore>(provider => new WatchlistStore(provider.GetRequiredService<StorageDatabase>()));
        services.AddSingleton<IAlertOutbox>(provider => new AlertOutbox(provider.GetRequiredService<StorageDatabase>()));
        services.AddSingleton<ICardStore>(provider => new CardStore(provider.GetRequiredService<StorageDatabase>()));
        services.AddSingleton<IRuleStore>(provider => new RuleStore(provider.GetRequiredService<StorageDatabase>()));
        services.AddSingleton<IDigestStore>(provider => new DigestStore(provider.GetRequiredService<StorageDatabase>()));
        return services;
    }
}
