using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Health;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Slack.Signing;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// Slack wiring. Everything is registered only when Slack:BotToken is set: the Web API client, the alert sink,
/// slash commands over Socket Mode (Slack:AppToken) and/or HTTP (Slack:SigningSecret, POST /slack/commands).
/// </summary>
public static class SlackWiring
{
    /// <summary>The /healthz component for the bot token check (auth.test).</summary>
    public const string HealthComponent = "slack";

    /// <summary>Slack is on while this key is set.</summary>
    public const string BotTokenKey = $"{SlackOptions.SectionName}:BotToken";

    public static WebApplicationBuilder AddSlack(this WebApplicationBuilder builder)
    {
        // Whether Slack is on is a registration decision (BotOptions.Setting); the section is validated either way, so keys
        // set without a token are reported.
        var enabled = builder.Configuration.IsSet(BotTokenKey);
        var services = builder.Services;
        services.AddBotOptions<SlackOptions>(SlackOptions.SectionName, registerValue: enabled)
            .PostConfigure<IConfiguration>(SlackOptions.Normalize).ValidateItself();
        // Checked either way: without a token, start-up reports here which alerts wait for one.
        var health = services.AddHealthChecks().AddReportedComponent(HealthComponent);
        if (!enabled)
        {
            return builder;
        }

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<SlackOptions>();
            return new SlackApiClient(
                // One long-lived client; the pooled connection lifetime picks up DNS changes.
                new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }),
                new SlackApiClientOptions { BaseUrl = options.ApiBaseUrl, BotToken = options.BotToken },
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ILogger<SlackApiClient>>());
        });
        services.AddSingleton<SlackAlertSink>();
        services.AddChatAlertSink<SlackAlertSink, SlackCardPlatform>();
        services.AddSingleton<IPlatformProbe, SlackPlatformProbe>();
        services.AddSingleton<SlackWorkspace>();
        services.AddSingleton<SlackAccess>();
        services.AddSingleton<SlackCommandHandler>();
        // Made only when used: POST /slack/commands is mapped only with Slack:SigningSecret (MapSlackEndpoints).
        services.AddSingleton(provider => new SlackRequestVerifier(provider.GetRequiredService<SlackOptions>().SigningSecret, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SlackSignedRequest>();
        services.AddSingleton<SlackCardClickHandler>();
        services.AddSingleton<SlackForms>();

        health.AddReportedComponent(SlackSocketModeService.SocketHealthComponent);
        services.AddHostedService<SlackSocketModeService>();
        return builder;
    }

    public static WebApplication MapSlackEndpoints(this WebApplication app)
    {
        var options = app.Services.GetService<SlackOptions>();
        if (options is { HttpCommandsEnabled: true })
        {
            app.MapPost(SlackCommandEndpoint.Path, SlackCommandEndpoint.HandleAsync);
            app.MapPost(SlackInteractionEndpoint.Path, SlackInteractionEndpoint.HandleAsync);
        }

        return app;
    }
}
