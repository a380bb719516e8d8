using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Health;
using DetaineeAlertBot.Hosting;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Discord wiring. Everything is registered only when Discord:BotToken is set: the REST client, the alert sink,
/// command registration, slash commands over the gateway (Discord:UseGateway) and/or HTTP (Discord:PublicKey,
/// POST /discord/interactions).
/// </summary>
public static class DiscordWiring
{
    /// <summary>/healthz component: the bot token and REST health.</summary>
    public const string HealthComponent = "discord";
    public const string GatewayHealthComponent = "discord-gateway";
    public const string CommandsHealthComponent = "discord-commands";

    /// <summary>Discord is on while this key is set.</summary>
    public const string BotTokenKey = $"{DiscordOptions.SectionName}:BotToken";

    /// <summary>GUILDS (the servers we are in) and GUILD_MESSAGES (to hear that a case card was deleted by hand); neither is
    /// privileged, and message content (MESSAGE_CONTENT) is not asked for.</summary>
    private const int Intents = GatewayIntents.Guilds | GatewayIntents.GuildMessages;

    public static WebApplicationBuilder AddDiscord(this WebApplicationBuilder builder)
    {
        // Whether Discord is on is a registration decision (BotOptions.Setting); the section is validated either way, so keys
        // set without a token are reported.
        var enabled = builder.Configuration.IsSet(BotTokenKey);
        var services = builder.Services;
        services.AddBotOptions<DiscordOptions>(DiscordOptions.SectionName, registerValue: enabled)
            .PostConfigure<IConfiguration>(DiscordOptions.Normalize).ValidateItself();
        // Checked either way: without a token, start-up reports here which alerts wait for one.
        var health = services.AddHealthChecks().AddReportedComponent(HealthComponent);
        if (!enabled)
        {
            return builder;
        }

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<DiscordOptions>();
            return new DiscordRestClient(
                // One long-lived client; the pooled connection lifetime picks up DNS changes.
                new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan },
                Options.Create(new DiscordRestOptions { ApiBaseUrl = new Uri(options.ApiBaseUrl), BotToken = options.BotToken }),
                provider.GetRequiredService<ILogger<DiscordRestClient>>(),
                provider.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(provider => new InteractionResponder(
            provider.GetRequiredService<DiscordRestClient>(),
            provider.GetRequiredService<ILogger<InteractionResponder>>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<DiscordGuildBoundary>();
        services.AddSingleton<DiscordInteractionHandler>();
        services.AddSingleton<DiscordAlertSink>();
        services.AddChatAlertSink<DiscordAlertSink, DiscordCardPlatform>();
        services.AddSingleton<IPlatformProbe, DiscordPlatformProbe>();
        // After the nonce window, look in the channel before resending a delivery whose first attempt may have arrived.
        services.AddSingleton<IDeliveryProbe, DiscordDeliveryProbe>();
        services.AddSingleton<DiscordCommandRegistrar>();
        // Made only when used: the endpoint is mapped only with Discord:PublicKey (MapDiscordEndpoints), and
        // DiscordGatewayService asks for the gateway only with Discord:UseGateway.
        services.AddSingleton(provider => new DiscordSignatureVerifier(provider.GetRequiredService<DiscordOptions>().PublicKey));
        // As many shards as GET /gateway/bot recommends (one for most bots).
        services.AddSingleton(provider => new DiscordShardedGateway(
            provider.GetRequiredService<DiscordRestClient>(),
            // GUILDS: GUILD_CREATE tells us which servers the bot is in, so it can leave those it must not serve.
            new DiscordGatewayOptions { BotToken = provider.GetRequiredService<DiscordOptions>().BotToken, Intents = Intents },
            provider.GetRequiredService<ILoggerFactory>(),
            provider.GetRequiredService<TimeProvider>()));

        health.AddReportedComponent(GatewayHealthComponent).AddReportedComponent(CommandsHealthComponent)
            .AddReportedComponent(DiscordGuildBoundary.HealthComponent);
        services.AddHostedService<DiscordStartupService>();
        services.AddHostedService<DiscordGatewayService>();
        return builder;
    }

    public static WebApplication MapDiscordEndpoints(this WebApplication app)
    {
        if (app.Services.GetService<DiscordOptions>() is { HttpInteractionsEnabled: true })
        {
            app.MapPost(DiscordInteractionEndpoint.Path, DiscordInteractionEndpoint.HandleAsync);
        }

        return app;
    }
}
