using System.Collections.Concurrent;
using System.Diagnostics;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Feeds;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync.Stages;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>
/// SyncPipeline is what happens to one feed document, whatever delivered it (a file, an HTTP poll, a push):
/// <list type="number">
/// <item>read: catch up with other instances (shared database only), skip a byte-identical document;</item>
/// <item>parse: records and rejections, refuse a broken or empty document;</item>
/// <item>plan: diff against the catalog;</item>
/// <item>store: one transaction (cases, history, outbox rows), then the catalog;</item>
/// <item>publish: wake the dispatcher, count, report.</item>
/// </list>
/// The list is built in <see cref="Create"/> and nowhere else. Documents of one source run one at a time; different
/// sources run in parallel. Each document is one trace (activity "sync") with one child per stage, and each stage's time
/// is recorded in <see cref="BotMetrics.SyncStageDuration"/>.
/// </summary>
public sealed class SyncPipeline
{
    private readonly IReadOnlyList<ISyncStage> _stages;
    private readonly IReadOnlyList<ISyncStage> _manualStages;
    private readonly BotMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _sourceLocks = new(StringComparer.Ordinal);

    public SyncPipeline(IReadOnlyList<ISyncStage> stages, BotMetrics metrics, TimeProvider? time = null, IReadOnlyList<ISyncStage>? manualStages = null)
    {
        _stages = stages;
        _manualStages = manualStages ?? [];
        _metrics = metrics;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The stages, in order: the product's data flow from a document to queued alerts.</summary>
    public IReadOnlyList<ISyncStage> Stages => _stages;

    /// <summary>The stages of a change made by hand: the same catch-up, store and publish, with its own plan.</summary>
    public IReadOnlyList<ISyncStage> ManualStages => _manualStages;

    /// <param name="refresher">With a shared database: the catalog catch-up run before each document; null otherwise.</param>
    /// <param name="handoff">The dispatcher's offer to take the new alerts claimed in the store's transaction; null: they
    /// are queued pending and claimed by the dispatcher.</param>
    public static SyncPipeline Create(
        ICaseStore store, CaseCatalog catalog, AppliedDocuments applied, AlertSignal alertSignal, BotMetrics metrics, TimeProvider time,
        ILoggerFactory loggers, CatalogRefresher? refresher = null, DeliveryHandoff? handoff = null)
    {
        var stages = new List<ISyncStage>(6);
        if (refresher is not null) stages.Add(new CatchUpStage(refresher));
        stages.Add(new SkipIdenticalStage(applied, metrics));
        stages.Add(new ParseStage(catalog, metrics, loggers.CreateLogger<ParseStage>(), new FeedRecordMemo()));
        stages.Add(new PlanStage(catalog, time, loggers.CreateLogger<PlanStage>()));
        var storeStage = new StoreStage(store, catalog, applied, loggers.CreateLogger<StoreStage>(), handoff);
        var publishStage = new PublishStage(alertSignal, metrics, loggers.CreateLogger<PublishStage>(), handoff);
        stages.Add(storeStage);
        stages.Add(publishStage);

        // A status or case set by hand (/case update, /case add) goes the same way from the plan on.
        var manual = new List<ISyncStage>(4);
        if (refresher is not null) manual.Add(new CatchUpStage(refresher));
        manual.Add(new ManualPlanStage(catalog, time));
        manual.Add(storeStage);
        manual.Add(publishStage);
        return new SyncPipeline(stages, metrics, time, manual);
    }

    public Task<SyncReport> SyncAsync(string source, ReadOnlyMemory<byte> document, CancellationToken cancellationToken) =>
        RunAsync(_stages, source, document, null, cancellationToken);

    /// <summary>Applies a change made by hand, in its case's source's turn like a document of that source: stored with
    /// who made it, alerted to every watching channel like any change.</summary>
    public Task<SyncReport> ApplyManualAsync(ManualChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return RunAsync(_manualStages, change.Case.Source, ReadOnlyMemory<byte>.Empty, change, cancellationToken);
    }

    private async Task<SyncReport> RunAsync(IReadOnlyList<ISyncStage> stages, string source, ReadOnlyMemory<byte> document, ManualChange? manual,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var receivedAt = _time.GetUtcNow();
        using var activity = BotActivity.Source.StartActivity(manual is null ? "sync" : "manual-change");
        activity?.SetTag("source", source);
        activity?.SetTag("document.bytes", document.Length);
        var gate = _sourceLocks.GetOrAdd(source, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var context = new SyncContext(source, document, receivedAt) { Manual = manual };
            foreach (var stage in stages)
            {
                await RunStageAsync(stage, context, cancellationToken).ConfigureAwait(false);
                if (context.Report is not null) break;
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            var report = (context.Report ?? throw new InvalidOperationException("no stage reported the document's outcome")) with { Duration = elapsed };
            if (report.Succeeded && !report.Identical) _metrics.SyncDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("source", source));
            activity?.SetTag("result", report.Error is not null ? "refused" : report.Identical ? "identical" : "applied");
            activity?.SetTag("alerts.queued", report.AlertsQueued);
            return report;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task RunStageAsync(ISyncStage stage, SyncContext context, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = BotActivity.Source.StartActivity(stage.Name);
        try
        {
            await stage.RunAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        finally
        {
            _metrics.SyncStageDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("stage", stage.Name));
        }
    }
}
