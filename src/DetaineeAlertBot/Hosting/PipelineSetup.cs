using DetaineeAlertBot.Alerts;
using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Search;
using DetaineeAlertBot.Sources;
using DetaineeAlertBot.Workers;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Hosting;

/// <summary>Registers the platform-neutral pipeline: catalog and search, sync, commands, outbox dispatch, and the
/// case sources. Every options section is validated here, before anything starts.</summary>
public static class PipelineSetup
{
    public static WebApplicationBuilder AddPipeline(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;

        var alerts = AlertOptions.Read(configuration);
        var polled = SourcesOptions.Read(configuration).Items.Select(s => s.Name).ToArray();
        var ingest = IngestOptions.Read(configuration);
        var seeds = WatchlistSeedOptions.Read(configuration);
        // A bare case id in Watchlists:N:Cases is bound to the one source cases can come from, polled or pushed.
        var known = polled.Concat(ingest.Enabled ? ingest.Sources : []).Distinct(StringComparer.Ordinal).ToArray();
        ThrowIfInvalid("Pipeline", alerts.Validate().Concat(ingest.Validate(polled)).Concat(WatchlistSeedOptions.Validate(seeds, known)));

        services.AddSingleton(alerts);
        services.AddSingleton(ingest);
        services.AddSingleton(new WatchlistSeeds(seeds, known));
        services.AddSingleton<BotMetrics>();
        services.AddSingleton<HealthRegistry>();
        services.AddSingleton<ICaseSearch, CaseSearchIndex>();
        services.AddSingleton<CaseCatalog>();
        services.AddSingleton(provider => new AlertSignal(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<AppliedDocuments>();
        // The sync stages are listed in SyncPipeline.Create; the catch-up stage runs when a shared database registered a refresher.
        services.AddSingleton(provider => SyncPipeline.Create(
            provider.GetRequiredService<ICaseStore>(),
            provider.GetRequiredService<CaseCatalog>(),
            provider.GetRequiredService<AppliedDocuments>(),
            provider.GetRequiredService<AlertSignal>(),
            provider.GetRequiredService<BotMetrics>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetService<CatalogRefresher>()));
        services.AddSingleton<CaseCommands>();
        services.AddSingleton<WatchlistCommands>();
        services.AddSingleton<AlertCommands>();
        services.AddSingleton<BotCommands>();
        services.AddSingleton(provider => new DeliveryPolicy
        {
            Time = provider.GetRequiredService<TimeProvider>(),
            GiveUpAfter = alerts.GiveUpAfter,
            BaseDelay = alerts.RetryBaseDelay,
            MaxDelay = alerts.RetryMaxDelay,
            PlatformProbeInterval = alerts.PlatformProbeInterval,
            ChannelRetryInterval = alerts.ChannelRetryInterval,
        });
        services.AddSingleton(provider => new AdminReporter(
            provider.GetRequiredService<IAlertOutbox>(), alerts.ReportTargets(), provider.GetRequiredService<ILogger<AdminReporter>>(),
            provider.GetRequiredService<AlertSignal>()));
        services.AddSingleton<ConsoleAlertSink>();
        services.AddSingleton<IAlertSink>(provider => provider.GetRequiredService<ConsoleAlertSink>());
        var cluster = ClusterOptions.Read(configuration);
        services.AddSingleton(provider => new AlertDispatcher(
            provider.GetRequiredService<IAlertOutbox>(),
            provider.GetServices<IAlertSink>(),
            provider.GetRequiredService<DeliveryPolicy>(),
            provider.GetRequiredService<AdminReporter>(),
            provider.GetRequiredService<BotMetrics>(),
            provider.GetRequiredService<ILogger<AlertDispatcher>>(),
            provider.GetServices<IDeliveryProbe>(),
            provider.GetServices<IPlatformProbe>(),
            cluster.DeliveryLease));

        // Order matters: start-up (migrate, load, seed) finishes before any loop starts.
        services.AddHostedService<StartupService>();
        services.AddHostedService<AlertDispatchService>();
        services.AddHostedService<OutboxPruneService>();
        return builder;
    }

    public static WebApplicationBuilder AddCaseSources(this WebApplicationBuilder builder)
    {
        var sources = SourcesOptions.Read(builder.Configuration);
        ThrowIfInvalid(SourcesOptions.SectionName, sources.Validate());
        var paths = new BotPaths(builder.Environment.ContentRootPath);
        foreach (var source in sources.Items.Where(s => s.IsFile)) source.Path = paths.Resolve(source.Path!);

        builder.Services.AddSingleton(sources);
        // No automatic redirects: HttpCaseSource follows same-origin ones itself (SourceHttp.CreateHandler says why).
        builder.Services.AddHttpClient(CaseSourceFactory.HttpClientName).ConfigurePrimaryHttpMessageHandler(SourceHttp.CreateHandler);
        builder.Services.AddSingleton<CaseSourceFactory>();
        builder.Services.AddHostedService<SourcePollingService>();
        return builder;
    }

    internal static void ThrowIfInvalid(string section, IEnumerable<string> failures)
    {
        var list = failures.ToArray();
        if (list.Length > 0) throw new OptionsValidationException(section, typeof(object), list);
    }
}
