using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Adapters;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Health;
using DetaineeAlertBot.Search;
using DetaineeAlertBot.Sources;
using DetaineeAlertBot.Workers;

namespace DetaineeAlertBot.Hosting;

/// <summary>Registers the platform-neutral pipeline: catalog and search, sync, commands, outbox dispatch, and the
/// case sources. Their options sections are validated with every other section before anything starts (BotOptions).</summary>
public static class PipelineSetup
{
    /// <summary>Registers a chat platform's sink for the dispatcher, wrapped so alerts go out in each channel's style: case
    /// cards (the default) through <typeparamref name="TCards"/>, or one message per change through <typeparamref name="TSink"/>.</summary>
    public static IServiceCollection AddChatAlertSink<TSink, TCards>(this IServiceCollection services)
        where TSink : class, IAlertSink
        where TCards : class, ICardPlatform
    {
        services.AddSingleton<TCards>();
        return services.AddSingleton<IAlertSink>(provider => new CardAlertSink(provider.GetRequiredService<TSink>(), provider.GetRequiredService<TCards>(),
            provider.GetRequiredService<ICardStore>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<CardAlertSink>>()));
    }

    public static WebApplicationBuilder AddPipeline(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        services.AddBotOptions<AlertOptions>(AlertOptions.SectionName)
            .PostConfigure<IConfiguration>(AlertOptions.Normalize).ValidateItself();
        services.AddBotOptions<IngestOptions>(IngestOptions.SectionName)
            .PostConfigure<IConfiguration>(IngestOptions.Normalize).ValidateWith<IngestOptions, IngestOptionsValidator>();
        services.AddBotOptions<WatchlistsOptions>(WatchlistSeedOptions.SectionName,
                bind: options => options.Configure<IConfiguration>((watchlists, configuration) => watchlists.Entries = WatchlistSeedOptions.Read(configuration)))
            .ValidateWith<WatchlistsOptions, WatchlistsOptionsValidator>();
        // A bare case id in Watchlists:N:Cases is bound to the one source cases can come from, polled or pushed.
        services.AddSingleton(provider => WatchlistSeedOptions.Seeds(
            provider.GetRequiredService<WatchlistsOptions>().Entries, KnownSources.In(provider.GetRequiredService<IConfiguration>())));
        services.AddSingleton<BotMetrics>();
        services.AddSingleton<HealthRegistry>();
        services.AddSingleton<ICaseSearch, CaseSearchIndex>();
        services.AddSingleton<CaseCatalog>();
        services.AddSingleton(provider => new AlertSignal(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new DeliveryHandoff(provider.GetRequiredService<TimeProvider>()));
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
            provider.GetService<CatalogRefresher>(),
            provider.GetRequiredService<DeliveryHandoff>()));
        services.AddSingleton<CaseCommands>();
        services.AddSingleton<WatchlistCommands>();
        services.AddSingleton<AlertCommands>();
        services.AddSingleton<BotCommands>();
        services.AddSingleton<CardClicks>();
        services.AddSingleton<CaseForms>();
        services.AddSingleton(provider =>
        {
            var alerts = provider.GetRequiredService<AlertOptions>();
            return new DeliveryPolicy
            {
                Time = provider.GetRequiredService<TimeProvider>(),
                GiveUpAfter = alerts.GiveUpAfter,
                BaseDelay = alerts.RetryBaseDelay,
                MaxDelay = alerts.RetryMaxDelay,
                PlatformProbeInterval = alerts.PlatformProbeInterval,
                ChannelRetryInterval = alerts.ChannelRetryInterval,
            };
        });
        services.AddSingleton(provider => new AdminReporter(
            provider.GetRequiredService<IAlertOutbox>(), provider.GetRequiredService<AlertOptions>().ReportTargets(),
            provider.GetRequiredService<ILogger<AdminReporter>>(), provider.GetRequiredService<AlertSignal>()));
        services.AddSingleton<ConsoleAlertSink>();
        // The console has no cards, but mutes and digests hold there too.
        services.AddSingleton<IAlertSink>(provider => new CardAlertSink(provider.GetRequiredService<ConsoleAlertSink>(), null,
            provider.GetRequiredService<ICardStore>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<ILogger<CardAlertSink>>()));
        services.AddSingleton(provider => new AlertDispatcher(
            provider.GetRequiredService<IAlertOutbox>(),
            provider.GetServices<IAlertSink>(),
            provider.GetRequiredService<DeliveryPolicy>(),
            provider.GetRequiredService<AdminReporter>(),
            provider.GetRequiredService<BotMetrics>(),
            provider.GetRequiredService<ILogger<AlertDispatcher>>(),
            provider.GetServices<IDeliveryProbe>(),
            provider.GetServices<IPlatformProbe>(),
            // Cluster:* is AddCluster's section, read when the dispatcher is made, so the two may be added in either order.
            provider.GetRequiredService<ClusterOptions>().DeliveryLease,
            provider.GetRequiredService<DeliveryHandoff>()));

        // Order matters: start-up (migrate, load, seed) finishes before any loop starts.
        services.AddHealthChecks().AddReportedComponent(AlertDispatchService.Component);
        services.AddHostedService<StartupService>();
        services.AddHostedService<AlertDispatchService>();
        services.AddHostedService<OutboxPruneService>();
        services.AddSingleton<MuteSummaries>();
        services.AddHostedService<MuteSummaryService>();
        services.AddSingleton<DigestRunner>();
        services.AddHostedService<DigestService>();
        services.AddSingleton(provider => provider.GetRequiredService<AlertOptions>().Flapping());
        services.AddHostedService<FlapSettleService>();
        return builder;
    }

    public static WebApplicationBuilder AddCaseSources(this WebApplicationBuilder builder)
    {
        builder.Services.AddBotOptions<SourcesOptions>(SourcesOptions.SectionName, bind: options => options
                .Configure<IConfiguration>(SourcesOptions.Bind)
                // A relative feed path means "next to config/", wherever the bot was started from.
                .PostConfigure<BotPaths>((sources, paths) =>
                {
                    foreach (var source in sources.Items.Where(s => s.IsFile && !string.IsNullOrWhiteSpace(s.Path))) source.Path = paths.Resolve(source.Path!);
                }))
            .ValidateItself();
        builder.Services.AddBotOptions<SampleOptions>(SampleOptions.SectionName, registerValue: false);
        builder.Services.AddSourceHealthChecks();
        // No automatic redirects: HttpCaseSource follows same-origin ones itself (SourceHttp.CreateHandler says why).
        builder.Services.AddHttpClient(CaseSourceFactory.HttpClientName).ConfigurePrimaryHttpMessageHandler(SourceHttp.CreateHandler);
        builder.Services.AddSingleton<CaseSourceFactory>();
        builder.Services.AddHostedService<SourcePollingService>();
        return builder;
    }

}
