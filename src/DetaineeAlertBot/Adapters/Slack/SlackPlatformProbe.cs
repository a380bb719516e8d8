using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>While Slack deliveries are paused (token revoked, scope missing), auth.test tells whether the token works
/// again. A token that authenticates but still lacks a scope fails again on the next post and pauses once more.</summary>
public sealed class SlackPlatformProbe(SlackApiClient api, HealthRegistry health) : IPlatformProbe
{
    public string Platform => Platforms.Slack;

    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            var auth = await api.AuthTestAsync(cancellationToken).ConfigureAwait(false);
            health.Report(SlackWiring.HealthComponent, true, $"token accepted again (team {auth.TeamId})");
            return null;
        }
        catch (SlackApiException e)
        {
            return e.Message;
        }
    }
}
