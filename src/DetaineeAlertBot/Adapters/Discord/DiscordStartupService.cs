using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// At start: checks the bot token (<c>GET /applications/@me</c>, which also gives the application id when
/// Discord:ApplicationId is empty) and registers the commands; then keeps the REST health in <c>/healthz</c>
/// ("discord"). Never stops the host: failures are logged and reported.
/// </summary>
public sealed class DiscordStartupService(
    DiscordRestClient rest,
    DiscordOptions options,
    DiscordCommandRegistrar registrar,
    HealthRegistry health,
    TimeProvider time,
    ILogger<DiscordStartupService> logger) : BackgroundService
{
    private const int Attempts = 5;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Report(DiscordWiring.HealthComponent, healthy: false, "checking the bot token");
        rest.TokenRejected += _ => health.Report(DiscordWiring.HealthComponent, healthy: false, TokenRejectedText);
        try
        {
            if (await ApplicationIdAsync(stoppingToken).ConfigureAwait(false) is { } applicationId)
            {
                await registrar.RegisterAsync(applicationId, stoppingToken).ConfigureAwait(false);
            }

            using var timer = new PeriodicTimer(ReportInterval, time);
            do
            {
                Report();
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private const string TokenRejectedText =
        "Discord rejected Discord:BotToken (401): reset the token on the application's Bot page, put the new one in Discord:BotToken and restart.";

    private void Report()
    {
        var h = rest.Health;
        var detail = h.TokenRejected ? TokenRejectedText
            : h.InvalidBudgetExhausted ? $"paused: {h.InvalidRequestsLast10Minutes} invalid requests (401/403/429) in 10 minutes"
            : $"REST ok; last success {h.LastSuccess:u}; invalid requests in 10 min: {h.InvalidRequestsLast10Minutes}"
              + (h.LastError is { } error ? $"; last error {h.LastFailure:u}: {error}" : "");
        health.Report(DiscordWiring.HealthComponent, h.Healthy, detail);
    }

    private async Task<string?> ApplicationIdAsync(CancellationToken ct)
    {
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                var application = await rest.GetCurrentApplicationAsync(ct).ConfigureAwait(false);
                if (options.ApplicationId.Length > 0 && options.ApplicationId != application.Id)
                {
                    logger.LogWarning("Discord:ApplicationId is {Configured} but the bot token belongs to application {Actual}; using {Actual}",
                        options.ApplicationId, application.Id, application.Id);
                }

                if (options.HttpInteractionsEnabled && application.VerifyKey is { Length: > 0 } key
                    && !string.Equals(key, options.PublicKey, StringComparison.OrdinalIgnoreCase))
                {
                    logger.LogError("Discord:PublicKey does not match the application's Public Key: HTTP interactions will be refused (401). " +
                        "Copy the Public Key from the application's General Information page");
                }

                health.Report(DiscordWiring.HealthComponent, healthy: true, $"bot token accepted (application {application.Id})");
                return application.Id;
            }
            catch (Exception e) when (rest.Health.TokenRejected && e is DiscordApiException or DiscordClientStoppedException)
            {
                health.Report(DiscordWiring.HealthComponent, healthy: false, TokenRejectedText);
                return null;
            }
            catch (Exception e) when (e is DiscordApiException or HttpRequestException or TimeoutException or DiscordClientStoppedException)
            {
                health.Report(DiscordWiring.HealthComponent, healthy: false, $"Discord not reachable yet (attempt {attempt}/{Attempts}): {e.Message}");
                logger.LogWarning("Discord token check failed (attempt {Attempt}/{Attempts}): {Error}", attempt, Attempts, e.Message);
                if (attempt < Attempts)
                {
                    await Task.Delay(RetryDelay, time, ct).ConfigureAwait(false);
                }
            }
        }

        return options.ApplicationId.Length > 0 ? options.ApplicationId : null;
    }
}
