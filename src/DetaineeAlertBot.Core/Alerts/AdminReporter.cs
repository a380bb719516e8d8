using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AdminReporter tells the admin channels (Alerts:AdminChannels) what could not be sent: a dead letter, a
/// paused or resumed platform, a channel the bot cannot post to. Reports go through the outbox like alerts (so they
/// survive restarts and failover), at most one per incident per <see cref="MinInterval"/>, and are always logged too.</summary>
public sealed class AdminReporter(IAlertOutbox outbox, IReadOnlyList<ReportTarget> targets, ILogger<AdminReporter> logger, AlertSignal? signal = null)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMinutes(10);

    public IReadOnlyList<ReportTarget> Targets => targets;

    public Task DeadLetterAsync(AlertMessage alert, string reason, CancellationToken cancellationToken) =>
        ReportAsync($"dead:{alert.DeliveryId}", new AdminReport(
            $"Alert not delivered: {alert.Case.Name}",
            [
                $"Case: {alert.Case.Name} ({alert.Case.Key}), {alert.OldStatus.ToWire()} → {alert.NewStatus.ToWire()}",
                $"Channel: {alert.Platform} {alert.ChannelId}",
                $"Last error: {reason}",
                $"To resend it once the cause is fixed: /alerts retry id:{alert.DeliveryId} (or id:all); /alerts dead lists every dead letter.",
            ]), cancellationToken);

    public Task PlatformPausedAsync(string platform, string error, CancellationToken cancellationToken) =>
        ReportAsync($"platform:{platform}:paused", new AdminReport(
            $"{Title(platform)} deliveries paused",
            [
                $"Reason: {error}",
                "Alerts wait and are not lost; the bot checks the credentials regularly and resumes by itself once they work.",
            ]), cancellationToken);

    public Task PlatformResumedAsync(string platform, DateTimeOffset since, CancellationToken cancellationToken) =>
        ReportAsync($"platform:{platform}:resumed", new AdminReport(
            $"{Title(platform)} deliveries resumed",
            [$"Paused since {since:yyyy-MM-dd HH:mm} UTC; the waiting alerts go out now, in order."]), cancellationToken);

    public Task ChannelPausedAsync(string platform, string channelId, string error, DeliveryPolicy policy, CancellationToken cancellationToken) =>
        ReportAsync($"channel:{platform}:{channelId}", new AdminReport(
            $"Cannot post to {platform} channel {channelId}",
            [
                $"Reason: {error}",
                $"Its alerts wait and are retried every {policy.ChannelRetryInterval}; after {policy.GiveUpAfter} they become dead letters (/alerts dead).",
            ]), cancellationToken);

    public Task ChannelResumedAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        ReportAsync($"channel:{platform}:{channelId}:resumed", new AdminReport(
            $"{platform} channel {channelId} accepts alerts again", ["Its waiting alerts go out now, in order."]), cancellationToken);

    private async Task ReportAsync(string incident, AdminReport report, CancellationToken cancellationToken)
    {
        logger.LogWarning("Admin report ({Incident}): {Report}", incident, report.ToPlainText().Replace('\n', ' '));
        try
        {
            if (await outbox.EnqueueReportAsync(incident, report, targets, MinInterval, cancellationToken).ConfigureAwait(false)) signal?.Notify();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The log line above carries it; a report must never stop a delivery.
            logger.LogError("Could not queue the admin report ({Incident}): {Error}", incident, ex.Message);
        }
    }

    private static string Title(string platform) => platform.Length == 0 ? platform : char.ToUpperInvariant(platform[0]) + platform[1..];
}
