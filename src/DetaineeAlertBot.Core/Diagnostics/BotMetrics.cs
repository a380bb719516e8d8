using System.Diagnostics.Metrics;

namespace DetaineeAlertBot.Core.Diagnostics;

/// <summary>BotMetrics holds the instruments of the pipeline (System.Diagnostics.Metrics, meter "DetaineeAlertBot"),
/// so any exporter can read them without the pipeline knowing which.</summary>
public sealed class BotMetrics : IDisposable
{
    public const string MeterName = "DetaineeAlertBot";

    private readonly Meter _meter;
    private volatile OutboxPlatformCount[] _outbox = [];
    private volatile bool _outboxKnown;
    private volatile int _leader = -1;

    public BotMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        DocumentsSynced = _meter.CreateCounter<long>("detaineebot.source.documents", description: "Feed documents processed, by source and result (applied, rejected, identical).");
        RecordsRejected = _meter.CreateCounter<long>("detaineebot.source.records_rejected", description: "Feed records rejected as invalid, by source.");
        StatusChanges = _meter.CreateCounter<long>("detaineebot.cases.status_changes", description: "Status changes detected, by source.");
        AlertsQueued = _meter.CreateCounter<long>("detaineebot.alerts.created", description: "Outbox rows created by this instance, by source.");
        AlertsDelivered = _meter.CreateCounter<long>("detaineebot.alerts.delivered", description: "Alerts delivered, by platform.");
        AlertsRetried = _meter.CreateCounter<long>("detaineebot.alerts.retried", description: "Delivery attempts that will be retried, by platform.");
        AlertsDeadLettered = _meter.CreateCounter<long>("detaineebot.alerts.dead_lettered", description: "Alerts given up on, by platform.");
        ChangeToDelivery = _meter.CreateHistogram<double>("detaineebot.alerts.change_to_delivery", unit: "s", description: "Time from observing a change to delivering its alert, by platform.");
        SyncDuration = _meter.CreateHistogram<double>("detaineebot.source.sync_duration", unit: "s", description: "Time to parse, diff and store one document.");
        SyncStageDuration = _meter.CreateHistogram<double>("detaineebot.sync.stage_duration", unit: "s", description: "Time spent in each sync pipeline stage, by stage.");
        RateLimited = _meter.CreateCounter<long>("detaineebot.chat.rate_limited", description: "HTTP 429 answers from a chat API, by platform.");
        SourcePolls = _meter.CreateCounter<long>("detaineebot.source.polls", description: "Source fetches, by source and result (modified, unchanged, failed).");
        SourcePollDuration = _meter.CreateHistogram<double>("detaineebot.source.poll_duration", unit: "s", description: "Time to fetch one source and apply what it returned, by source.");
        HistoryChecks = _meter.CreateCounter<long>("detaineebot.alerts.history_checks", description: "Channel history reads before resending an alert that may have been posted, by platform and result (found, absent, failed).");
        _meter.CreateObservableGauge("detaineebot.outbox.rows", ObserveOutboxRows, description: "Outbox rows in the database (every instance's), by platform and state; the sum over states is the alerts created per platform.");
        _meter.CreateObservableGauge("detaineebot.outbox.depth", ObserveOutboxDepth, description: "Outbox rows waiting to be delivered (pending or mid-send), by platform.");
        _meter.CreateObservableGauge("detaineebot.cluster.leader", ObserveLeader, description: "1 while this instance holds the lead (runs pollers, dispatcher, gateway, Socket Mode), else 0.");
    }

    public Counter<long> DocumentsSynced { get; }
    public Counter<long> RecordsRejected { get; }
    public Counter<long> StatusChanges { get; }
    public Counter<long> AlertsQueued { get; }
    public Counter<long> AlertsDelivered { get; }
    public Counter<long> AlertsRetried { get; }
    public Counter<long> AlertsDeadLettered { get; }
    public Histogram<double> ChangeToDelivery { get; }
    public Histogram<double> SyncDuration { get; }
    public Histogram<double> SyncStageDuration { get; }
    public Counter<long> RateLimited { get; }
    public Counter<long> SourcePolls { get; }
    public Histogram<double> SourcePollDuration { get; }
    public Counter<long> HistoryChecks { get; }

    /// <summary>Latest outbox counts (sampled on a timer: gauges must not query the database while being read).</summary>
    public void SetOutbox(IReadOnlyList<OutboxPlatformCount> counts)
    {
        _outbox = [.. counts];
        _outboxKnown = true;
    }

    public void SetLeader(bool leader) => _leader = leader ? 1 : 0;

    private IEnumerable<Measurement<long>> ObserveOutboxRows()
    {
        if (!_outboxKnown) yield break;
        foreach (var row in _outbox)
        {
            yield return new Measurement<long>(row.Count, new KeyValuePair<string, object?>("platform", row.Platform), new KeyValuePair<string, object?>("state", row.State));
        }
    }

    private IEnumerable<Measurement<long>> ObserveOutboxDepth()
    {
        if (!_outboxKnown) yield break;
        foreach (var platform in _outbox.GroupBy(r => r.Platform, StringComparer.Ordinal))
        {
            var depth = platform.Where(r => r.State is "pending" or "sending").Sum(r => r.Count);
            yield return new Measurement<long>(depth, new KeyValuePair<string, object?>("platform", platform.Key));
        }
    }

    private IEnumerable<Measurement<int>> ObserveLeader()
    {
        if (_leader >= 0) yield return new Measurement<int>(_leader);
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>Outbox rows of one platform in one state ("pending", "sending", "sent", "dead").</summary>
public sealed record OutboxPlatformCount(string Platform, string State, long Count);
