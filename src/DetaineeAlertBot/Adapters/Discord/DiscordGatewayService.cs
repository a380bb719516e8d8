using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Security;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Keeps the gateway connection while Discord:UseGateway is true and hands INTERACTION_CREATE to
/// <see cref="DiscordInteractionHandler"/>. Its state is "discord-gateway" in <c>/healthz</c>. A fatal close
/// (bad token, disallowed intents) is reported there and logged, without stopping the rest of the bot.
/// </summary>
public sealed class DiscordGatewayService(
    IServiceProvider services,
    DiscordOptions options,
    DiscordInteractionHandler handler,
    DiscordGuildBoundary boundary,
    ReplayGuard replays,
    TimeProvider time,
    HealthRegistry health,
    ILeadership leadership,
    ICardStore cards,
    ILogger<DiscordGatewayService> logger) : BackgroundService
{
    private static readonly TimeSpan InteractionTokenLifetime = TimeSpan.FromMinutes(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.GatewayEnabled || services.GetService<DiscordShardedGateway>() is not { } gateway)
        {
            return;
        }

        gateway.DispatchHandler = async (dispatch, ct) =>
        {
            switch (dispatch.EventName)
            {
                case "INTERACTION_CREATE" when DiscordJson.ParseInteraction(dispatch.Data) is { } interaction:
                    // A RESUME replays missed events; an interaction must still run once. Its token lives 15 minutes.
                    if (replays.TryRecord("discord:" + interaction.Id, time.GetUtcNow() + InteractionTokenLifetime) != ReplayVerdict.First)
                    {
                        logger.LogWarning("Discord interaction {InteractionId} arrived twice over the gateway; handled once", interaction.Id);
                        return;
                    }

                    await handler.HandleAsync(interaction, dispatch.ReceivedTimestamp, InteractionTransport.Gateway, ct).ConfigureAwait(false);
                    break;
                case "GUILD_CREATE":
                    await boundary.OnGuildCreateAsync(dispatch.Data, ct).ConfigureAwait(false);
                    break;
                case "GUILD_DELETE":
                    boundary.OnGuildDelete(dispatch.Data);
                    break;
                case GatewayEvents.MessageDelete or GatewayEvents.MessageDeleteBulk
                    when DiscordJson.ParseDeletedMessages(dispatch.EventName, dispatch.Data) is { } deleted:
                    await ForgetDeletedCardsAsync(deleted.ChannelId, deleted.MessageIds, ct).ConfigureAwait(false);
                    break;
            }
        };
        gateway.StatusChanged += Report;
        try
        {
            // One gateway connection per bot token: only the leading instance holds it (Cluster, README).
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!leadership.IsLeader)
                {
                    health.Report(DiscordWiring.GatewayHealthComponent, healthy: true, "standby: another instance leads and holds the gateway connection");
                }

                var lead = await leadership.WaitForLeadAsync(stoppingToken).ConfigureAwait(false);
                using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lead);
                Report(gateway.Status);
                await gateway.RunAsync(run.Token).ConfigureAwait(false);
                if (!lead.IsCancellationRequested)
                {
                    break;
                }

                logger.LogWarning("Discord gateway disconnected: this instance is no longer the leader");
            }
        }
        catch (DiscordGatewayFatalException e)
        {
            logger.LogCritical("Discord gateway stopped for good: {Reason}. Slash commands will not arrive over the gateway until this is fixed and the bot restarted", e.Message);
            health.Report(DiscordWiring.GatewayHealthComponent, healthy: false, $"stopped: {e.Message}");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Discord gateway stopped unexpectedly");
            health.Report(DiscordWiring.GatewayHealthComponent, healthy: false, $"stopped: {e.Message}");
        }
        finally
        {
            gateway.StatusChanged -= Report;
        }
    }

    /// <summary>Messages deleted in a channel: a case card among them is forgotten, so the next change posts a new card
    /// (an edit of the gone card would fail with 10008 anyway; this saves that round trip). Never throws: a missed
    /// delete only costs that failed edit.</summary>
    private async Task ForgetDeletedCardsAsync(string channelId, IReadOnlyList<string> messageIds, CancellationToken ct)
    {
        try
        {
            var forgotten = 0;
            foreach (var messageId in messageIds) forgotten += await cards.ForgetMessageAsync(Platforms.Discord, channelId, messageId, ct).ConfigureAwait(false);
            if (forgotten > 0) logger.LogInformation("A case card in Discord channel {ChannelId} was deleted; the next change posts a new one", channelId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not record deleted messages of Discord channel {ChannelId}; a change to a deleted card will post a new one when its edit fails", channelId);
        }
    }

    private void Report(GatewayStatus status)
    {
        var detail = $"{status.State.ToString().ToLowerInvariant()}"
            + (status.LastHeartbeatAck is { } ack ? $"; last heartbeat ACK {ack:u}" : "")
            + (status.Latency is { } latency ? $"; latency {latency.TotalMilliseconds:0} ms" : "")
            + $"; reconnects {status.Reconnects}"
            + (status.Error is { } error ? $"; {error}" : "");
        health.Report(DiscordWiring.GatewayHealthComponent, status.State == GatewayState.Ready, detail);
    }
}
