using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Workers;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Health;

/// <summary>
/// /healthz runs on ASP.NET Core health checks, one per component: <see cref="StorageHealthCheck"/> here, and each
/// Add* method registers the components its services report (<see cref="AddReportedComponent"/>): the dispatcher, each
/// source, the leader election, each platform's token, gateway and socket. <see cref="OutboxHealthCheck"/> runs for
/// /healthz/detail only.
/// </summary>
public static class HealthSetup
{
    /// <summary>Tag of the checks that only /healthz/detail runs.</summary>
    public const string DetailOnly = "detail";

    public const string OutboxCheck = "outbox";

    /// <summary>The check for reports no registered check claims (<see cref="UnclaimedComponentsCheck"/>).</summary>
    public const string UnclaimedCheck = "unclaimed-components";

    public static WebApplicationBuilder AddBotHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>(StartupService.StorageComponent)
            .AddCheck<OutboxHealthCheck>(OutboxCheck, tags: [DetailOnly])
            .Add(new HealthCheckRegistration(UnclaimedCheck, provider => new UnclaimedComponentsCheck(
                provider.GetRequiredService<HealthRegistry>(),
                provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal)),
                failureStatus: null, tags: null));
        // The health check service logs every unhealthy check at Error on every probe (a load balancer's every few seconds);
        // the components log their own problems once, when they happen.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None);
        return builder;
    }

    /// <summary>A check of the component <paramref name="component"/>, as its service reports it to <see cref="HealthRegistry"/>.</summary>
    public static IHealthChecksBuilder AddReportedComponent(this IHealthChecksBuilder builder, string component) =>
        builder.Add(ReportedComponent(component));

    private static HealthCheckRegistration ReportedComponent(string component) => new(
        component, provider => new ReportedComponentCheck(provider.GetRequiredService<HealthRegistry>(), component), failureStatus: null, tags: null);

    /// <summary>One check per configured source, named as the poller reports it; the names come from the validated
    /// <see cref="SourcesOptions"/> when the health check service is first made, not from configuration at registration.</summary>
    public static IServiceCollection AddSourceHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks();
        services.AddOptions<HealthCheckServiceOptions>().Configure<SourcesOptions>((health, sources) =>
        {
            foreach (var name in sources.Items.Select(s => s.Name).Distinct(StringComparer.Ordinal))
            {
                health.Registrations.Add(ReportedComponent(SourcePollingService.Component(name)));
            }
        });
        return services;
    }
}
