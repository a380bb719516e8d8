using DetaineeAlertBot.Adapters;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Health;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Storage;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Slack.WebApi;
using DetaineeAlertBot.Storage.Cluster;
using DetaineeAlertBot.Workers;

namespace DetaineeAlertBot.Cluster;

/// <summary>Registers who leads: with SQLite the one process (guarded by a lock file), with PostgreSQL an advisory-lock
/// election; plus the catalog refresh that keeps every instance's lookups current. May be added before or after
/// AddPipeline: its hosted services are placed to start before StartupService either way.</summary>
public static class ClusterSetup
{
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddBotOptions<ClusterOptions>(ClusterOptions.SectionName).ValidateItself();

        if (StorageSetup.ConfiguresSqlite(builder.Configuration))
        {
            AddHostedServiceBeforeStartup<SqliteInstanceGuard>(services);
            services.AddSingleton<ILeadership, SingleInstanceLeadership>();
        }
        else
        {
            services.AddSingleton(provider => new PostgresLeaderElection(
                provider.GetRequiredService<StorageOptions>().ConnectionString,
                provider.GetRequiredService<ClusterOptions>().LeaderCheckInterval,
                provider.GetRequiredService<ILogger<PostgresLeaderElection>>(),
                provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<ILeadership>(provider => provider.GetRequiredService<PostgresLeaderElection>());
            AddHostedServiceBeforeStartup<LeaderElectionService>(services);
            services.AddHealthChecks().AddReportedComponent(LeaderElectionService.Component);
            services.AddSingleton<ICaseChangeReader>(provider => (ICaseChangeReader)provider.GetRequiredService<ICaseStore>());
            services.AddSingleton<CatalogRefresher>();
            AddHostedServiceBeforeStartup<CatalogRefreshService>(services);
        }
        AddHostedServiceBeforeStartup<OutboxGaugeService>(services);
        services.AddHealthChecks().AddReportedComponent(OutboxGaugeService.DeliveryComponent);

        // Slack cannot de-duplicate a resend itself: look in the channel first (the client is registered by AddSlack).
        if (builder.Configuration.IsSet(SlackWiring.BotTokenKey))
        {
            services.AddSingleton<IDeliveryProbe>(provider => new SlackDeliveryProbe(provider.GetRequiredService<SlackApiClient>()));
        }
        return builder;
    }

    /// <summary>Hosted services start in registration order, and these must run before StartupService (the instance lock
    /// before the database is opened, the history mark before the catalog is loaded): placed before it when AddPipeline
    /// ran first, appended (and so before it) otherwise.</summary>
    private static void AddHostedServiceBeforeStartup<T>(IServiceCollection services) where T : class, IHostedService
    {
        var descriptor = ServiceDescriptor.Singleton<IHostedService, T>();
        var startup = services.ToList().FindIndex(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(StartupService));
        if (startup < 0) services.Add(descriptor);
        else services.Insert(startup, descriptor);
    }
}
