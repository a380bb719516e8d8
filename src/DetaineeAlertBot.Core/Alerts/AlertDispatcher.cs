using System.Diagnostics;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertDispatcher delivers due outbox rows: claim with a lease, send through the platform's sink, then mark
/// sent, retry later, or dead-letter. Rows for one channel go out in order; channels are served in parallel.
/// A platform without a configured sink falls back to the console sink, so nothing waits forever.</summary>
public sealed class AlertDispatcher
{
    /// <summary>How long a claim protects a row from other dispatchers; longer than any one send.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private const int BatchSize = 100;
    private const int MaxParallelChannels = 8;
    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(60);

    private readonly IAlertOutbox _outbox;
    private readonly Dictionary<string, IAlertSink> _sinks;
    private readonly DeliveryRetryPolicy _policy;
    private readonly BotMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDispatcher> _logger;
    private readonly HashSet<string> _warnedPlatforms = [];

    public AlertDispatcher(IAlertOutbox outbox, IEnumerable<IAlertSink> sinks, DeliveryRetryPolicy policy, BotMetrics metrics, TimeProvider time, ILogger<AlertDispatcher> logger)
    {
        _outbox = outbox;
        _sinks = sinks.ToDictionary(s => s.Platform, StringComparer.Ordinal);
        _policy = policy;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Identifies this process's leases: host, process id and a random part for restarts with the same pid.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Claims and delivers one batch; returns how many rows were handled. <paramref name="cancellationToken"/>
    /// stops claiming; sends already started run to completion (bounded by the send timeout) so shutdown loses nothing.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var due = await _outbox.ClaimDueAsync(Owner, _time.GetUtcNow(), Lease, BatchSize, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0) return 0;

        var channels = due.GroupBy(a => (a.Platform, a.ChannelId)).ToArray();
        await Parallel.ForEachAsync(
            channels,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelChannels },
            async (channel, _) =>
            {
                foreach (var alert in channel) await DeliverAsync(alert).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return due.Count;
    }

    private async Task DeliverAsync(AlertMessage alert)
    {
        var sink = ResolveSink(alert.Platform);
        DeliveryResult result;
        using (var timeout = new CancellationTokenSource(SendTimeout))
        {
            try
            {
                result = await sink.SendAsync(alert, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                result = DeliveryResult.Retry($"the {alert.Platform} send did not finish within {SendTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex)
            {
                result = DeliveryResult.Retry($"{ex.GetType().Name}: {ex.Message}");
            }
        }

        // Marking must not be cancelled by shutdown: a sent alert left unmarked would be sent again.
        var now = _time.GetUtcNow();
        var tags = new KeyValuePair<string, object?>("platform", alert.Platform);
        switch (result.Outcome)
        {
            case DeliveryOutcome.Sent:
                await _outbox.MarkSentAsync(alert.DeliveryId, result.ExternalId, now, CancellationToken.None).ConfigureAwait(false);
                _metrics.AlertsDelivered.Add(1, tags);
                _metrics.ChangeToDelivery.Record((now - alert.ObservedAt).TotalSeconds, tags);
                _logger.LogInformation(
                    "Delivered alert {DeliveryId} for case {CaseKey} to {Platform} channel {ChannelId} (attempt {Attempt})",
                    alert.DeliveryId, alert.Case.Key.ToString(), alert.Platform, alert.ChannelId, alert.Attempt);
                break;
            case DeliveryOutcome.Retry when !_policy.IsExhausted(alert.Attempt):
                var delay = _policy.NextDelay(alert.Attempt, result.RetryAfter, Random.Shared.NextDouble());
                await _outbox.MarkRetryAsync(alert.DeliveryId, result.Error ?? "unknown error", now + delay, CancellationToken.None).ConfigureAwait(false);
                _metrics.AlertsRetried.Add(1, tags);
                _logger.LogWarning(
                    "Alert {DeliveryId} for case {CaseKey} to {Platform} channel {ChannelId} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay}: {Error}",
                    alert.DeliveryId, alert.Case.Key.ToString(), alert.Platform, alert.ChannelId, alert.Attempt, _policy.MaxAttempts, delay, result.Error);
                break;
            default:
                var reason = result.Outcome == DeliveryOutcome.Rejected
                    ? result.Error ?? "rejected by the platform"
                    : $"gave up after {alert.Attempt} attempts; last error: {result.Error}";
                await _outbox.MarkDeadAsync(alert.DeliveryId, reason, now, CancellationToken.None).ConfigureAwait(false);
                _metrics.AlertsDeadLettered.Add(1, tags);
                _logger.LogError(
                    "Dead-lettered alert {DeliveryId} for case {CaseKey} to {Platform} channel {ChannelId}: {Reason}",
                    alert.DeliveryId, alert.Case.Key.ToString(), alert.Platform, alert.ChannelId, reason);
                break;
        }
    }

    private IAlertSink ResolveSink(string platform)
    {
        if (_sinks.TryGetValue(platform, out var sink)) return sink;
        lock (_warnedPlatforms)
        {
            if (_warnedPlatforms.Add(platform))
            {
                _logger.LogWarning(
                    "Alerts for {Platform} channels are printed to the console because {Platform} is not configured (set {Section}:BotToken to deliver them there)",
                    platform, platform, platform == Platforms.Slack ? "Slack" : "Discord");
            }
        }
        return _sinks.TryGetValue(Platforms.Console, out var console)
            ? console
            : throw new InvalidOperationException($"No alert sink for platform '{platform}' and no console sink registered.");
    }
}
