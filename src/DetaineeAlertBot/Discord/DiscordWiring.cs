namespace DetaineeAlertBot.Discord;

/// <summary>Discord wiring (stub until the Discord integration lands): registers nothing.</summary>
public static class DiscordWiring
{
    public static WebApplicationBuilder AddDiscord(this WebApplicationBuilder builder) => builder;

    public static WebApplication MapDiscordEndpoints(this WebApplication app) => app;
}
