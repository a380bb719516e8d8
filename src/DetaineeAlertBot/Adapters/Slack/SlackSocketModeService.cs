using DetaineeAlertBot.Core.Cluster;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.SocketMode;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// Runs while Slack is configured: checks the bot token with auth.test (reported in /healthz as "slack"),
/// then, when Slack:AppToken is set, keeps a Socket Mode connection for slash commands ("slack-socket-mode").
/// Never stops the host: every failure is logged and reported as unhealthy instead.
/// </summary>
public sealed class SlackSocketModeService(
    SlackApiClient api,
    SlackOptions options,
    SlackCommandHandler commands,
    SlackCardClickHandler cardClicks,
    SlackForms forms,
    SlackWorkspace workspace,
    HealthRegistry health,
    TimeProvider time,
    ILoggerFactory loggers,
    ILeadership leadership,
    ILogger<SlackSocketModeService> logger) : BackgroundService
{
    public const string SocketHealthComponent = "slack-socket-mode";

    // auth.test is retried on transient errors, a bounded number of times, then left to /healthz.
    private const int AuthAttempts = 5;
    private static readonly TimeSpan AuthRetryDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await CheckTokenAsync(stoppingToken).ConfigureAwait(false) || !options.SocketModeEnabled)
        {
            return;
        }

        try
        {
            // Only the leading instance holds the Socket Mode connection (Cluster, README); followers stand by.
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!leadership.IsLeader)
                {
                    health.Report(SocketHealthComponent, healthy: true, "standby: another instance leads and holds the Socket Mode connection");
                }

                var lead = await leadership.WaitForLeadAsync(stoppingToken).ConfigureAwait(false);
                using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lead);
                var client = new SlackSocketModeClient(api, new SlackSocketModeOptions { AppToken = options.AppToken },
                    (command, ct) => commands.HandleAsync(command, ct)!,
                    async (payload, ct) =>
                    {
                        // A form's submission is answered in the ack (errors or a confirmation); block actions are acked
                        // before this runs and answered through chat.update / response_url.
                        if (payload.Type == InteractionPayload.ViewSubmission) return await forms.SubmitAsync(payload, ct).ConfigureAwait(false);
                        await cardClicks.HandleAsync(payload, ct).ConfigureAwait(false);
                        return null;
                    },
                    time, loggers.CreateLogger<SlackSocketModeClient>());
                client.StatusChanged += Report;
                health.Report(SocketHealthComponent, healthy: false, "connecting");
                try
                {
                    await client.RunAsync(run.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (lead.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
                {
                    // Lost the lead: the new leader connects.
                }
                finally
                {
                    client.StatusChanged -= Report;
                }

                if (!lead.IsCancellationRequested)
                {
                    break;
                }

                logger.LogWarning("Slack Socket Mode disconnected: this instance is no longer the leader");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            logger.LogError("Slack Socket Mode stopped: {Message}", e.Message);
            health.Report(SocketHealthComponent, healthy: false, $"stopped: {e.Message}");
        }
    }

    private async Task<bool> CheckTokenAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // Requests are served only for this workspace and app (SlackAccess): learn both before answering anyone.
                var (me, identity) = await workspace.LearnAsync(ct).ConfigureAwait(false);
                if (identity is null)
                {
                    const string Problem = "auth.test or bots.info did not say which workspace and app the bot token belongs to, so no request "
                        + "can be served: check that Slack:BotToken is a bot token (xoxb-) with the users:read scope";
                    logger.LogError("Slack: {Problem}", Problem);
                    health.Report(SlackWiring.HealthComponent, healthy: false, Problem);
                    return false;
                }

                var mode = options.SocketModeEnabled ? "Socket Mode" : options.HttpCommandsEnabled ? "HTTP slash commands" : "alerts only (no slash commands)";
                health.Report(SlackWiring.HealthComponent, healthy: true, $"connected as {me.User} ({me.UserId}) in {me.Team} ({me.TeamId}); {mode}");
                logger.LogInformation("Slack: bot {User} in workspace {Team}; {Mode}", me.User, me.Team, mode);
                return true;
            }
            catch (SlackApiException e) when (e.ErrorClass != SlackErrorClass.Retryable || attempt >= AuthAttempts)
            {
                logger.LogError("Slack is configured but auth.test failed: {Message}", e.Message);
                health.Report(SlackWiring.HealthComponent, healthy: false, e.Message);
                return false;
            }
            catch (SlackApiException e)
            {
                health.Report(SlackWiring.HealthComponent, healthy: false, $"{e.Message} (attempt {attempt} of {AuthAttempts})");
                await Task.Delay(AuthRetryDelay, time, ct).ConfigureAwait(false);
            }
        }
    }

    // Slack refreshes sockets every few hours and a reconnect takes a moment: only repeated failures are unhealthy.
    private const int UnhealthyAfterFailures = 3;

    private void Report(SlackSocketModeStatus status)
    {
        var detail = status.StoppedReason is { } stopped ? $"stopped: {stopped}"
            : status.Connected ? $"connected ({status.OpenConnections} socket(s)); last hello {status.LastHelloAt:u}"
            : $"reconnecting (failures in a row: {status.ConsecutiveFailures}; last disconnect: {status.LastDisconnectReason ?? "none"})";
        var healthy = status.StoppedReason is null && (status.Connected || status.ConsecutiveFailures < UnhealthyAfterFailures);
        health.Report(SocketHealthComponent, healthy, detail);
    }
}
