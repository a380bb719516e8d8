using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>While Discord deliveries are paused (the token was rejected), GET /users/@me tells whether the token works
/// again; a success lets the REST client send again and the dispatcher resumes.</summary>
public sealed class DiscordPlatformProbe(DiscordRestClient rest, HealthRegistry health) : IPlatformProbe
{
    public string Platform => Platforms.Discord;

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var user = await rest.CheckTokenAsync(cancellationToken).ConfigureAwait(false);
            health.Report(DiscordWiring.HealthComponent, true, $"token accepted again (bot user {user.Id})");
            return null;
        }
        catch (DiscordApiException e)
        {
            return e.Message;
        }
    }
}
