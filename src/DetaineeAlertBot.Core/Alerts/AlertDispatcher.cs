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
    /// <summary>Default for how long a claim protects a row from other dispatchers; longer than any one send.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromMinutes(2);

    private const int BatchSize = 100;
    private const int MaxParallelChannels = 8;
    private static readonly TimeSpan MaxSendTimeout = TimeSpan.FromSeconds(60);

    private readonly IAlertOutbox _outbox;
    private readonly Dictionary<string, IAlertSink> _sinks;
    private readonly Dictionary<string, IDeliveryProbe> _probes;
    private readonly DeliveryRetryPolicy _policy;
    private readonly BotMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertDispatcher> _logger;
    private readonly HashSet<string> _warnedPlatforms = [];
    private readonly TimeSpan _sendTimeout;

    public AlertDispatcher(
        IAlertOutbox outbox, IEnumerable<IAlertSink> sinks, DeliveryRetryPolicy policy, BotMetrics metrics, TimeProvider time, ILogger<AlertDispatcher> logger,
        IEnumerable<IDeliveryProbe>? probes = null, TimeSpan? lease = null)
    {
        _outbox = outbox;
        _sinks = sinks.ToDictionary(s => s.Platform, StringComparer.Ordinal);
        _probes = (probes ?? []).ToDictionary(p => p.Platform, StringComparer.Ordinal);
        _policy = policy;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        Lease = lease ?? DefaultLease;
        ArgumentOutOfRangeException.ThrowIfLessThan(Lease, TimeSpan.FromSeconds(2));
        // A send must end well inside its lease, or another dispatcher could claim the row while it is still going.
        _sendTimeout = Lease / 2 < MaxSendTimeout ? Lease / 2 : MaxSendTimeout;
    }

    /// <summary>How long a claim protects a row from other dispatchers (Cluster:DeliveryLease).</summary>
    public TimeSpan Lease { get; }

    /// <summary>Identifies this process's leases: host, process id and a random part for restarts with the same pid.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Claims and delivers one batch; returns how many rows were handled. <paramref name="cancellationToken"/>
    /// stops claiming; sends already started run to completion (bounded by the send timeout) so shutdown loses nothing.
    /// <paramref name="abortSends"/> (this instance lost the lead) stops at once: no further send starts, a send in
    /// flight is abandoned, and its row stays claimed until its lease runs out, when the new leader checks and resends it.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken, CancellationToken abortSends = default)
    {
        abortSends.ThrowIfCancellationRequested();
        var due = await _outbox.ClaimDueAsync(Owner, _time.GetUtcNow(), Lease, BatchSize, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0) return 0;

        var channels = due.GroupBy(a => (a.Platform, a.ChannelId)).ToArray();
        await Parallel.ForEachAsync(
            channels,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelChannels },
            async (channel, _) =>
            {
                foreach (var alert in channel)
                {
                    if (abortSends.IsCancellationRequested) return;
                    await DeliverAsync(alert, abortSends).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        abortSends.ThrowIfCancellationRequested();
        return due.Count;
    }

    private async Task DeliverAsync(AlertMessage alert, CancellationToken abortSends)
    {
        var sink = ResolveSink(alert.Platform);
        DeliveryResult result;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(abortSends))
        {
            timeout.CancelAfter(_sendTimeout);
            try
            {
                result = await FindEarlierDeliveryAsync(alert, timeout.Token).ConfigureAwait(false)
                    ?? await sink.SendAsync(alert, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abortSends.IsCancellationRequested)
            {
                // Lost the lead: leave the row claimed. Marking it would race the new leader; its lease decides.
                _logger.LogWarning(
                    "Abandoned alert {DeliveryId} for case {CaseKey} to {Platform} channel {ChannelId}: this instance lost the lead; the new leader resends it once its lease ends",
                    alert.DeliveryId, alert.Case.Key.ToString(), alert.Platform, alert.ChannelId);
                return;
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                result = DeliveryResult.Retry($"the {alert.Platform} send did not finish within {_sendTimeout.TotalSeconds:0} s");
            }
            catch (Exception ex)
            {
                result = DeliveryResult.Retry($"{ex.GetType().Name}: {ex.Message}");
            }
        }
        // After losing the lead only a success is recorded (always true, and it spares a resend); anything else is left
        // to the lease, as a retry mark could hand the row back while the new leader is sending it.
        if (abortSends.IsCancellationRequested && result.Outcome != DeliveryOutcome.Sent) return;

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

    /// <summary>A row claimed again (a retry, or a takeover after its lease ran out) may have reached the platform
    /// already. Where the platform has no idempotency key of its own (Slack), its probe looks for the delivery id in
    /// the channel before we send again; a found message counts as sent.</summary>
    private async Task<DeliveryResult?> FindEarlierDeliveryAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        if (alert.Attempt <= 1 || !_probes.TryGetValue(alert.Platform, out var probe) || !_sinks.ContainsKey(alert.Platform)) return null;
        var tags = new KeyValuePair<string, object?>("platform", alert.Platform);
        try
        {
            var found = await probe.FindAsync(alert, cancellationToken).ConfigureAwait(false);
            _metrics.HistoryChecks.Add(1, tags, new("result", found is null ? "absent" : "found"));
            if (found is null) return null;
            _logger.LogWarning(
                "Alert {DeliveryId} for case {CaseKey} is already in {Platform} channel {ChannelId} ({ExternalId}) from an earlier attempt; marking it sent without posting again",
                alert.DeliveryId, alert.Case.Key.ToString(), alert.Platform, alert.ChannelId, found);
            return DeliveryResult.Sent(found);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not knowing is not a reason to hold the alert back: sending risks one duplicate, holding risks losing it.
            _metrics.HistoryChecks.Add(1, tags, new("result", "failed"));
            _logger.LogWarning(
                "Could not check {Platform} channel {ChannelId} for alert {DeliveryId} before resending it ({Error}); sending it again, which may repeat it",
                alert.Platform, alert.ChannelId, alert.DeliveryId, ex.Message);
            return null;
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
