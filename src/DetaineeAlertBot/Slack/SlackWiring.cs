using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Slack.Signing;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack;

/// <summary>
/// Slack wiring. Everything is registered only when Slack:BotToken is set: the Web API client, the alert sink,
/// slash commands over Socket Mode (Slack:AppToken) and/or HTTP (Slack:SigningSecret, POST /slack/commands).
/// </summary>
public static class SlackWiring
{
    /// <summary>The /healthz component for the bot token check (auth.test).</summary>
    public const string HealthComponent = "slack";

    public static WebApplicationBuilder AddSlack(this WebApplicationBuilder builder)
    {
        PipelineSetup.ThrowIfInvalid(SlackOptions.SectionName, SlackOptions.Validate(builder.Configuration));
        var options = SlackOptions.Read(builder.Configuration);
        if (!options.Enabled)
        {
            return builder;
        }

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(provider => new SlackApiClient(
            // One long-lived client; the pooled connection lifetime picks up DNS changes.
            new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
            new SlackApiClientOptions { BaseUrl = options.ApiBaseUrl, BotToken = options.BotToken },
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<SlackApiClient>>()));
        services.AddSingleton<SlackAlertSink>();
        services.AddSingleton<IAlertSink>(provider => provider.GetRequiredService<SlackAlertSink>());
        services.AddSingleton<IPlatformProbe, SlackPlatformProbe>();
        services.AddSingleton<SlackWorkspace>();
        services.AddSingleton<SlackAccess>();
        services.AddSingleton<SlackCommandHandler>();
        if (options.HttpCommandsEnabled)
        {
            services.AddSingleton(provider => new SlackRequestVerifier(options.SigningSecret, provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<SlackSignedRequest>();
        }

        services.AddHostedService<SlackSocketModeService>();
        return builder;
    }

    public static WebApplication MapSlackEndpoints(this WebApplication app)
    {
        var options = app.Services.GetService<SlackOptions>();
        if (options is { HttpCommandsEnabled: true })
        {
            app.MapPost(SlackCommandEndpoint.Path, SlackCommandEndpoint.HandleAsync);
        }

        return app;
    }
}
