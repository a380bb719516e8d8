using System.Diagnostics;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Alerts;

/// <summary>AlertDispatcher delivers due outbox rows under a delivery term: claim a few, send each through its
/// platform's sink, then mark it sent, waiting or dead. What a failure means decides what happens next:
/// <list type="bullet">
/// <item>rate limited: wait as told, no attempt counted;</item>
/// <item>transient: back off and retry until <see cref="DeliveryPolicy.GiveUpAfter"/>;</item>
/// <item>platform down (token rejected): pause the platform and probe it until it accepts us again;</item>
/// <item>channel down (deleted, no access): pause the channel, retry it slowly, give up after GiveUpAfter;</item>
/// <item>rejected payload: dead letter at once.</item>
/// </list>
/// Rows of one channel go out one after another (the store keeps each channel and case in order); channels are served
/// in parallel. A platform without a sink (no credentials) is never claimed: its alerts wait.</summary>
public sealed class AlertDispatcher
{
    /// <summary>Default for how long a claim protects a row within one term.</summary>
    public static readonly TimeSpan DefaultLease = TimeSpan.FromMinutes(2);

    private const int MaxParallelChannels = 8;

    /// <summary>What the dispatcher is about to send: a crash strands no more than this.</summary>
    private const int ClaimSize = MaxParallelChannels * 2;

    private static readonly TimeSpan MaxSendTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How often paused platforms are looked up for a due probe. Not on every batch: that read sat between each
    /// change and its message, and probes are due tens of seconds apart (Alerts:PlatformProbeInterval). The claim
    /// itself skips paused platforms and channels, so this only bounds how late a resume can start.</summary>
    private static readonly TimeSpan PauseLookupInterval = TimeSpan.FromSeconds(1);

    private readonly IAlertOutbox _outbox;
    private readonly Dictionary<string, IAlertSink> _sinks;
    private readonly Dictionary<string, IDeliveryProbe> _probes;
    private readonly Dictionary<string, IPlatformProbe> _platformProbes;
    private readonly DeliveryPolicy _policy;
    private readonly AdminReporter _reporter;
    private readonly BotMetrics _metrics;
    private readonly ILogger<AlertDispatcher> _logger;
    private readonly TimeSpan _sendTimeout;
    private readonly string[] _platforms;
    private readonly DeliveryHandoff? _handoff;
    private long _term;
    private DateTimeOffset _pausesLookedUpAt = DateTimeOffset.MinValue;

    public AlertDispatcher(
        IAlertOutbox outbox, IEnumerable<IAlertSink> sinks, DeliveryPolicy policy, AdminReporter reporter, BotMetrics metrics, ILogger<AlertDispatcher> logger,
        IEnumerable<IDeliveryProbe>? probes = null, IEnumerable<IPlatformProbe>? platformProbes = null, TimeSpan? lease = null,
        DeliveryHandoff? handoff = null)
    {
        _outbox = outbox;
        _sinks = sinks.ToDictionary(s => s.Platform, StringComparer.Ordinal);
        _probes = (probes ?? []).ToDictionary(p => p.Platform, StringComparer.Ordinal);
        _platformProbes = (platformProbes ?? []).ToDictionary(p => p.Platform, StringComparer.Ordinal);
        _policy = policy;
        _reporter = reporter;
        _metrics = metrics;
        _logger = logger;
        _platforms = [.. _sinks.Keys.Order(StringComparer.Ordinal)];
        _handoff = handoff;
        Lease = lease ?? DefaultLease;
        ArgumentOutOfRangeException.ThrowIfLessThan(Lease, TimeSpan.FromSeconds(2));
        // A send must end well inside its lease, or the row could be claimed again while it is still going.
        _sendTimeout = Lease / 2 < MaxSendTimeout ? Lease / 2 : MaxSendTimeout;
    }

    /// <summary>How long a claim protects a row within one term (Cluster:DeliveryLease). A new term takes over at once.</summary>
    public TimeSpan Lease { get; }

    /// <summary>The platforms that can send (have credentials); rows of any other platform wait.</summary>
    public IReadOnlyList<string> SendingPlatforms => _platforms;

    /// <summary>Identifies this process's claims: host, process id and a random part for restarts with the same pid.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>The current delivery term, 0 before <see cref="BeginTermAsync"/>.</summary>
    public long Term => Interlocked.Read(ref _term);

    /// <summary>Takes a new delivery term: called each time this instance starts leading. Rows claimed under older terms
    /// (a dead or deposed leader's) are claimable at once, and that leader's marks are refused from now on.</summary>
    public async Task<long> BeginTermAsync(CancellationToken cancellationToken)
    {
        var term = await _outbox.BeginTermAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _term, term);
        // From now on a sync's store may claim its new rows for this term and hand them over (see DeliveryHandoff).
        if (_platforms.Length > 0) _handoff?.Open(new ClaimRequest(term, Owner, Lease, ClaimSize, _platforms));
        _logger.LogInformation("Delivering alerts under term {Term}", term);
        return term;
    }

    /// <summary>Stops taking batches from syncs. On a graceful stop the batches already handed over are sent, like sends
    /// in flight; after losing the lead (<paramref name="abortSends"/>) they are left to the next term.</summary>
    public async Task StopTakingHandoffsAsync(CancellationToken abortSends)
    {
        if (_handoff is null) return;
        foreach (var handed in _handoff.Close())
        {
            if (abortSends.IsCancellationRequested) return;
            await DeliverHandedAsync(handed, abortSends).ConfigureAwait(false);
        }
    }

    /// <summary>Probes paused platforms that are due, then claims and delivers one batch; returns how many rows were
    /// handled. <paramref name="cancellationToken"/> stops claiming; sends already started run to completion (bounded by
    /// the send timeout) so shutdown loses nothing. <paramref name="abortSends"/> (this instance lost the lead) stops at
    /// once: the rows stay claimed under this term and the next leader takes them over.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken, CancellationToken abortSends = default)
    {
        abortSends.ThrowIfCancellationRequested();
        if (Term == 0) await BeginTermAsync(cancellationToken).ConfigureAwait(false);
        // Rows the syncs claimed for this term first: they are this instance's, committed claimed, waiting for nothing.
        var handled = 0;
        while (_handoff is not null && _handoff.TryTake(out var handed))
        {
            handled += await DeliverHandedAsync(handed, abortSends).ConfigureAwait(false);
            abortSends.ThrowIfCancellationRequested();
        }
        var now = _policy.Time.GetUtcNow();
        if (now - _pausesLookedUpAt >= PauseLookupInterval || now < _pausesLookedUpAt)
        {
            await ProbePausedPlatformsAsync(cancellationToken).ConfigureAwait(false);
            _pausesLookedUpAt = now;
        }
        var batch = await _outbox.ClaimAsync(new ClaimRequest(Term, Owner, Lease, ClaimSize, _platforms), cancellationToken).ConfigureAwait(false);
        return handled + await DeliverBatchAsync(batch, abortSends).ConfigureAwait(false);
    }

    /// <summary>A batch a sync claimed for this dispatcher. Sent only under the term it was claimed for, and only while
    /// its lease is young: an older batch is released (pending again, no attempt counted) for the next claim, so no row
    /// is sent by this batch and by a claim that found its lease expired.</summary>
    private async Task<int> DeliverHandedAsync(HandedBatch handed, CancellationToken abortSends)
    {
        if (handed.Term != Term) return 0; // A newer term of ours has taken these rows over already.
        if (_policy.Time.GetUtcNow() - handed.HandedAt <= Lease / 2) return await DeliverBatchAsync(handed.Batch, abortSends).ConfigureAwait(false);
        foreach (var item in handed.Batch.Items)
        {
            await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
                new WaitMark("claimed by a sync but not sent while its lease was young; claimed again", TimeSpan.Zero, CountsAsAttempt: false, item.InDoubt, Failing: false),
                CancellationToken.None).ConfigureAwait(false);
        }
        return handed.Batch.Items.Count;
    }

    private async Task<int> DeliverBatchAsync(ClaimedBatch batch, CancellationToken abortSends)
    {
        if (batch.Items.Count == 0) return 0;
        var channels = batch.Items.GroupBy(a => (a.Platform, a.ChannelId)).ToArray();
        if (channels.Length == 1)
        {
            // The usual case for one change: sent from this thread, without Parallel's hop through the thread pool.
            await DeliverChannelAsync(channels[0].ToArray(), batch.Now, abortSends).ConfigureAwait(false);
            abortSends.ThrowIfCancellationRequested();
            return batch.Items.Count;
        }
        await Parallel.ForEachAsync(
            channels,
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelChannels },
            async (channel, _) => await DeliverChannelAsync(channel.ToArray(), batch.Now, abortSends).ConfigureAwait(false)).ConfigureAwait(false);
        abortSends.ThrowIfCancellationRequested();
        return batch.Items.Count;
    }

    /// <summary>One channel's rows, in order. After a rate limit or a channel failure the rest of the channel waits too
    /// (no attempt counted): sending them now would fail the same way.</summary>
    private async Task DeliverChannelAsync(OutboxItem[] items, DateTimeOffset now, CancellationToken abortSends)
    {
        DeliveryResult? held = null;
        foreach (var item in items)
        {
            if (abortSends.IsCancellationRequested) return;
            if (held is not null)
            {
                await HoldAsync(item, held, now).ConfigureAwait(false);
                continue;
            }
            var result = await SendTracedAsync(item, now, abortSends).ConfigureAwait(false);
            if (result is null) return; // Lost the lead mid-send.
            var answeredAt = _policy.Time.GetUtcNow();
            await RecordAsync(item, result, now, answeredAt).ConfigureAwait(false);
            if (result.Outcome is DeliveryOutcome.RateLimited or DeliveryOutcome.ChannelDown or DeliveryOutcome.PlatformDown) held = result;
        }
    }

    /// <summary>The send as a "deliver" activity that ends with the platform's answer. Its parent is the trace context
    /// stored with the row by the sync that created it, so the delivery joins the document's trace even when a restarted
    /// process or another instance sends it.</summary>
    private async Task<DeliveryResult?> SendTracedAsync(OutboxItem item, DateTimeOffset now, CancellationToken abortSends)
    {
        ActivityContext.TryParse(item.TraceParent, null, out var parent);
        using var activity = BotActivity.Source.StartActivity("deliver", ActivityKind.Client, parent);
        if (activity is null) return await SendAsync(item, now, abortSends).ConfigureAwait(false);
        activity.SetTag("delivery.id", item.DeliveryId);
        activity.SetTag("platform", item.Platform);
        activity.SetTag("channel", item.ChannelId);
        activity.SetTag("attempt", item.Attempts + 1);
        var result = await SendAsync(item, now, abortSends).ConfigureAwait(false);
        var outcome = result is null ? "abandoned" : ResultTag(result.Outcome);
        activity.SetTag("result", outcome);
        if (result is not null && result.Outcome is not (DeliveryOutcome.Sent or DeliveryOutcome.Withheld)) activity.SetStatus(ActivityStatusCode.Error, result.Error);
        return result;
    }

    private static string ResultTag(DeliveryOutcome outcome) => outcome switch
    {
        DeliveryOutcome.Sent => "sent",
        DeliveryOutcome.RateLimited => "rate_limited",
        DeliveryOutcome.Failed => "failed",
        DeliveryOutcome.PlatformDown => "platform_down",
        DeliveryOutcome.ChannelDown => "channel_down",
        DeliveryOutcome.Rejected => "rejected",
        DeliveryOutcome.Withheld => "withheld",
        _ => outcome.ToString(),
    };

    private async Task<DeliveryResult?> SendAsync(OutboxItem item, DateTimeOffset now, CancellationToken abortSends)
    {
        var sink = _sinks[item.Platform];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abortSends);
        timeout.CancelAfter(_sendTimeout);
        try
        {
            if (item.Alert is { } alert)
            {
                return await FindEarlierDeliveryAsync(item, alert, now, timeout.Token).ConfigureAwait(false)
                    ?? await sink.SendAsync(alert, timeout.Token).ConfigureAwait(false);
            }
            return await sink.SendReportAsync(item.DeliveryId, item.ChannelId, item.Report!, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abortSends.IsCancellationRequested)
        {
            // Lost the lead: leave the row claimed under this term. The next leader's term takes it over at once and
            // checks whether this send arrived before sending again.
            _logger.LogWarning("Abandoned delivery {DeliveryId} to {Platform} channel {ChannelId}: this instance lost the lead; the next leader takes it over",
                item.DeliveryId, item.Platform, item.ChannelId);
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return DeliveryResult.Failed($"the {item.Platform} send did not finish within {_sendTimeout.TotalSeconds:0} s", mayHaveArrived: true);
        }
        catch (Exception ex)
        {
            return DeliveryResult.Failed($"{ex.GetType().Name}: {ex.Message}", mayHaveArrived: true);
        }
    }

    /// <summary>Marks the outcome. Marking is never cancelled by shutdown: a sent alert left unmarked would be sent again.
    /// Every mark carries the term; a refused mark means a newer leader owns the row now.</summary>
    /// <param name="answeredAt">When the platform answered (this process's clock, like the change's ObservedAt).</param>
    private async Task RecordAsync(OutboxItem item, DeliveryResult result, DateTimeOffset now, DateTimeOffset answeredAt)
    {
        var tags = new KeyValuePair<string, object?>("platform", item.Platform);
        var what = Describe(item);
        var none = CancellationToken.None;
        bool accepted;
        switch (result.Outcome)
        {
            case DeliveryOutcome.Sent:
                accepted = await _outbox.MarkSentAsync(item.DeliveryId, Term, result.ExternalId, none).ConfigureAwait(false);
                if (!accepted) break;
                _metrics.AlertsDelivered.Add(1, tags);
                if (item.Alert is { } alert) _metrics.ChangeToDelivery.Record(Math.Max(0, (answeredAt - alert.ObservedAt).TotalSeconds), tags);
                _logger.LogInformation("Delivered {What} ({DeliveryId}) to {Platform} channel {ChannelId}", what, item.DeliveryId, item.Platform, item.ChannelId);
                if (item.FailingSince is not null || item.Attempts > 0) await ResumeChannelAsync(item, none).ConfigureAwait(false);
                break;

            case DeliveryOutcome.Withheld:
                accepted = await _outbox.MarkSentAsync(item.DeliveryId, Term, result.ExternalId ?? IAlertOutbox.WithheldExternalId, none).ConfigureAwait(false);
                if (accepted) _logger.LogInformation("Withheld {What} ({DeliveryId}) from {Platform} channel {ChannelId}: {Why}", what, item.DeliveryId, item.Platform, item.ChannelId, result.Error);
                break;

            case DeliveryOutcome.RateLimited:
                var wait = result.RetryAfter is { } after && after > TimeSpan.Zero ? after : _policy.RateLimitDefault;
                accepted = await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
                    new WaitMark($"rate limited: {result.Error}", _policy.Jitter(wait), CountsAsAttempt: false, InDoubt: item.InDoubt, Failing: false), none).ConfigureAwait(false);
                _metrics.RateLimited.Add(1, tags);
                _logger.LogInformation("{Platform} asked to wait {Wait} before {What} ({DeliveryId}); not counted as an attempt", item.Platform, wait, what, item.DeliveryId);
                break;

            case DeliveryOutcome.PlatformDown:
                // Nothing was posted (the platform refused us outright) and nothing is counted: the alert is fine, we are not.
                accepted = await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
                    new WaitMark($"{item.Platform} paused: {result.Error}", TimeSpan.Zero, CountsAsAttempt: false, InDoubt: item.InDoubt, Failing: false), none).ConfigureAwait(false);
                await PausePlatformAsync(item.Platform, result.Error ?? "refused", none).ConfigureAwait(false);
                break;

            case DeliveryOutcome.ChannelDown:
                accepted = await ChannelDownAsync(item, result, now, countsAsAttempt: true).ConfigureAwait(false);
                break;

            case DeliveryOutcome.Failed when !_policy.IsExpired(item.FailingSince ?? now, now):
                var delay = _policy.Backoff(item.Attempts + 1);
                accepted = await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
                    new WaitMark(result.Error ?? "unknown error", delay, CountsAsAttempt: true, InDoubt: result.MayHaveArrived || item.InDoubt, Failing: true), none).ConfigureAwait(false);
                _metrics.AlertsRetried.Add(1, tags);
                _logger.LogWarning("{What} ({DeliveryId}) to {Platform} channel {ChannelId} failed (attempt {Attempt}), retrying in {Delay}: {Error}",
                    what, item.DeliveryId, item.Platform, item.ChannelId, item.Attempts + 1, delay, result.Error);
                break;

            default:
                var reason = result.Outcome == DeliveryOutcome.Rejected
                    ? $"rejected by {item.Platform}: {result.Error}"
                    : $"still failing after {_policy.GiveUpAfter} (Alerts:GiveUpAfter); last error: {result.Error}";
                accepted = await DeadAsync(item, reason, none).ConfigureAwait(false);
                break;
        }
        if (!accepted)
        {
            _logger.LogWarning("The mark for {DeliveryId} was refused: a newer delivery term owns the row now (term {Term} is over)", item.DeliveryId, Term);
        }
    }

    /// <summary>A row behind a rate limit or a channel/platform failure in the same batch waits without an attempt.</summary>
    private async Task HoldAsync(OutboxItem item, DeliveryResult cause, DateTimeOffset now)
    {
        switch (cause.Outcome)
        {
            case DeliveryOutcome.ChannelDown:
                await ChannelDownAsync(item, cause, now, countsAsAttempt: false).ConfigureAwait(false);
                break;
            case DeliveryOutcome.RateLimited:
                var wait = cause.RetryAfter is { } after && after > TimeSpan.Zero ? after : _policy.RateLimitDefault;
                await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
                    new WaitMark($"rate limited: {cause.Error}", _policy.Jitter(wait), false, item.InDoubt, false), CancellationToken.None).ConfigureAwait(false);
                break;
            default:
                await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
                    new WaitMark($"{item.Platform} paused: {cause.Error}", TimeSpan.Zero, false, item.InDoubt, false), CancellationToken.None).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The channel cannot be posted to: pause it (retried at Alerts:ChannelRetryInterval), report it once, and
    /// dead-letter only what has been failing for longer than Alerts:GiveUpAfter.</summary>
    private async Task<bool> ChannelDownAsync(OutboxItem item, DeliveryResult result, DateTimeOffset now, bool countsAsAttempt)
    {
        var none = CancellationToken.None;
        var error = result.Error ?? "cannot post";
        if (await _outbox.PauseAsync(item.Platform, item.ChannelId, error, _policy.ChannelRetryInterval, none).ConfigureAwait(false))
        {
            _logger.LogError("Paused {Platform} channel {ChannelId}: {Error}. Its alerts wait and are retried every {Interval}; they become dead letters after {GiveUp}",
                item.Platform, item.ChannelId, error, _policy.ChannelRetryInterval, _policy.GiveUpAfter);
            await _reporter.ChannelPausedAsync(item.Platform, item.ChannelId, error, _policy, none).ConfigureAwait(false);
        }
        else if (countsAsAttempt)
        {
            await _outbox.DeferPauseAsync(item.Platform, item.ChannelId, error, _policy.ChannelRetryInterval, none).ConfigureAwait(false);
        }

        if (_policy.IsExpired(item.FailingSince ?? now, now))
        {
            return await DeadAsync(item, $"{item.Platform} channel {item.ChannelId} could not be posted to for {_policy.GiveUpAfter} (Alerts:GiveUpAfter): {error}", none)
                .ConfigureAwait(false);
        }
        return await _outbox.MarkWaitingAsync(item.DeliveryId, Term,
            new WaitMark($"channel paused: {error}", TimeSpan.Zero, countsAsAttempt, item.InDoubt, Failing: true), none).ConfigureAwait(false);
    }

    private async Task<bool> DeadAsync(OutboxItem item, string reason, CancellationToken cancellationToken)
    {
        if (!await _outbox.MarkDeadAsync(item.DeliveryId, Term, reason, cancellationToken).ConfigureAwait(false)) return false;
        _metrics.AlertsDeadLettered.Add(1, new KeyValuePair<string, object?>("platform", item.Platform));
        _logger.LogError("Dead-lettered {What} ({DeliveryId}) to {Platform} channel {ChannelId}: {Reason}. Resend it with /alerts retry id:{DeliveryId}",
            Describe(item), item.DeliveryId, item.Platform, item.ChannelId, reason, item.DeliveryId);
        // A report that cannot be delivered is logged, not reported again (that could loop).
        if (item.Alert is { } alert) await _reporter.DeadLetterAsync(alert, reason, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task ResumeChannelAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        if (await _outbox.ResumeAsync(item.Platform, item.ChannelId, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogWarning("{Platform} channel {ChannelId} accepts alerts again; its waiting alerts go out now", item.Platform, item.ChannelId);
            await _reporter.ChannelResumedAsync(item.Platform, item.ChannelId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PausePlatformAsync(string platform, string error, CancellationToken cancellationToken)
    {
        if (!await _outbox.PauseAsync(platform, null, error, _policy.PlatformProbeInterval, cancellationToken).ConfigureAwait(false)) return;
        _logger.LogCritical("Paused all {Platform} deliveries: {Error}. Alerts wait (no attempt is spent); checking every {Interval} and resuming by itself",
            platform, error, _policy.PlatformProbeInterval);
        await _reporter.PlatformPausedAsync(platform, error, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks each paused platform whose check is due; resumes it when the probe passes.</summary>
    private async Task ProbePausedPlatformsAsync(CancellationToken cancellationToken)
    {
        var pauses = await _outbox.GetPausesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var pause in pauses.Where(p => p.ChannelId is null && _sinks.ContainsKey(p.Platform)))
        {
            if (pause.NextCheckAt > _policy.Time.GetUtcNow()) continue;
            string? problem;
            try
            {
                problem = _platformProbes.TryGetValue(pause.Platform, out var probe)
                    ? await probe.CheckAsync(cancellationToken).ConfigureAwait(false)
                    : null; // Nothing to ask: try sending again.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                problem = $"{ex.GetType().Name}: {ex.Message}";
            }
            if (problem is null)
            {
                if (await _outbox.ResumeAsync(pause.Platform, null, cancellationToken).ConfigureAwait(false))
                {
                    _logger.LogWarning("{Platform} accepts our credentials again: resumed deliveries (paused since {Since:u})", pause.Platform, pause.Since);
                    await _reporter.PlatformResumedAsync(pause.Platform, pause.Since, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await _outbox.DeferPauseAsync(pause.Platform, null, problem, _policy.PlatformProbeInterval, cancellationToken).ConfigureAwait(false);
                _logger.LogWarning("{Platform} is still paused: {Problem}; checking again in {Interval}", pause.Platform, problem, _policy.PlatformProbeInterval);
            }
        }
    }

    /// <summary>A row whose last send had an unknown outcome may have reached the platform. Its probe looks for the
    /// delivery id in the channel before we send again; a found message counts as sent.</summary>
    private async Task<DeliveryResult?> FindEarlierDeliveryAsync(OutboxItem item, AlertMessage alert, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!item.InDoubt || !_probes.TryGetValue(item.Platform, out var probe)) return null;
        var tags = new KeyValuePair<string, object?>("platform", item.Platform);
        try
        {
            var found = await probe.FindAsync(alert, item.FirstTryAt ?? item.CreatedAt, now, cancellationToken).ConfigureAwait(false);
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

    private static string Describe(OutboxItem item) =>
        item.Alert is { } alert ? $"alert for case {alert.Case.Key}" : $"admin report \"{item.Report?.Title}\"";
}
