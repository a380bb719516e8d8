using System.Diagnostics.Metrics;

namespace DetaineeAlertBot.Core.Diagnostics;

/// <summary>BotMetrics holds the instruments of the pipeline (System.Diagnostics.Metrics, meter "DetaineeAlertBot"),
/// so any exporter can read them without the pipeline knowing which.</summary>
public sealed class BotMetrics : IDisposable
{
    public const string MeterName = "DetaineeAlertBot";

    private readonly Meter _meter;

    public BotMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        DocumentsSynced = _meter.CreateCounter<long>("detaineebot.source.documents", description: "Feed documents processed, by source and result (applied, rejected).");
        RecordsRejected = _meter.CreateCounter<long>("detaineebot.source.records_rejected", description: "Feed records rejected as invalid, by source.");
        StatusChanges = _meter.CreateCounter<long>("detaineebot.cases.status_changes", description: "Status changes detected, by source.");
        AlertsQueued = _meter.CreateCounter<long>("detaineebot.alerts.created", description: "Outbox rows created.");
        AlertsDelivered = _meter.CreateCounter<long>("detaineebot.alerts.delivered", description: "Alerts delivered, by platform.");
        AlertsRetried = _meter.CreateCounter<long>("detaineebot.alerts.retried", description: "Delivery attempts that will be retried, by platform.");
        AlertsDeadLettered = _meter.CreateCounter<long>("detaineebot.alerts.dead_lettered", description: "Alerts given up on, by platform.");
        ChangeToDelivery = _meter.CreateHistogram<double>("detaineebot.alerts.change_to_delivery", unit: "s", description: "Time from observing a change to delivering its alert.");
        SyncDuration = _meter.CreateHistogram<double>("detaineebot.source.sync_duration", unit: "s", description: "Time to parse, diff and store one document.");
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

    public void Dispose() => _meter.Dispose();
}
