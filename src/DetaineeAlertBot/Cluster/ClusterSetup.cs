using DetaineeAlertBot.Alerts;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Storage;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Slack.WebApi;
using DetaineeAlertBot.Storage.Cluster;

namespace DetaineeAlertBot.Cluster;

/// <summary>Registers who leads: with SQLite the one process (guarded by a lock file), with PostgreSQL an advisory-lock
/// election; plus the catalog refresh that keeps every instance's lookups current. Call after AddBotStorage and before
/// AddPipeline: these hosted services must start before StartupService.</summary>
public static class ClusterSetup
{
    public static WebApplicationBuilder AddCluster(this WebApplicationBuilder builder)
    {
        var options = ClusterOptions.Read(builder.Configuration);
        PipelineSetup.ThrowIfInvalid(ClusterOptions.SectionName, options.Validate());
        var services = builder.Services;
        services.AddSingleton(options);

        var storage = new StorageOptions();
        builder.Configuration.GetSection(StorageOptions.SectionName).Bind(storage);
        if (StorageSetup.IsSqlite(storage))
        {
            services.AddHostedService<SqliteInstanceGuard>();
            services.AddSingleton<ILeadership, SingleInstanceLeadership>();
        }
        else
        {
            services.AddSingleton(provider => new PostgresLeaderElection(
                provider.GetRequiredService<StorageOptions>().ConnectionString,
                options.LeaderCheckInterval,
                provider.GetRequiredService<ILogger<PostgresLeaderElection>>(),
                provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<ILeadership>(provider => provider.GetRequiredService<PostgresLeaderElection>());
            services.AddHostedService<LeaderElectionService>();
            services.AddSingleton<ICaseChangeReader>(provider => (ICaseChangeReader)provider.GetRequiredService<ICaseStore>());
            services.AddSingleton<CatalogRefresher>();
            services.AddHostedService<CatalogRefreshService>();
        }
        services.AddHostedService<OutboxGaugeService>();

        // Slack cannot de-duplicate a resend itself: look in the channel first (the client is registered by AddSlack).
        if (SlackOptions.Read(builder.Configuration).Enabled)
        {
            services.AddSingleton<IDeliveryProbe>(provider => new SlackDeliveryProbe(provider.GetRequiredService<SlackApiClient>()));
        }
        return builder;
    }
}
