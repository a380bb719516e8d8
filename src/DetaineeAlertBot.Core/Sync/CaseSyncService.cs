using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Feeds;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>CaseSyncService is the pipeline for one feed document, whatever delivered it (file, HTTP poll, push):
/// parse -> plan against the catalog -> apply in one store transaction -> update the catalog -> wake the dispatcher.
/// Documents of one source are applied one at a time; different sources run in parallel.</summary>
public sealed class CaseSyncService(
    ICaseStore store,
    CaseCatalog catalog,
    AlertSignal alertSignal,
    BotMetrics metrics,
    TimeProvider time,
    ILogger<CaseSyncService> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _sourceLocks = new(StringComparer.Ordinal);

    // SHA-256 of the last document applied per source: a byte-identical document (a re-push, a poll of a server
    // without ETags) cannot change anything, so it skips parsing and diffing. Kept in memory only; a restart diffs once.
    private readonly ConcurrentDictionary<string, byte[]> _lastApplied = new(StringComparer.Ordinal);

    /// <summary>Forgets the last document applied for <paramref name="source"/>, so the next one is diffed even when it is
    /// byte-identical: another instance (a shared database) changed this source's cases since it was applied here.</summary>
    public void ForgetLastDocument(string source) => _lastApplied.TryRemove(source, out _);

    public async Task<SyncReport> SyncAsync(string source, ReadOnlyMemory<byte> document, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var gate = _sourceLocks.GetOrAdd(source, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var hash = SHA256.HashData(document.Span);
            if (_lastApplied.TryGetValue(source, out var last) && hash.AsSpan().SequenceEqual(last))
            {
                metrics.DocumentsSynced.Add(1, Tag(source), new("result", "identical"));
                return SyncReport.Unchanged(source, Stopwatch.GetElapsedTime(started));
            }
            _lastApplied.TryRemove(source, out _);

            var parsed = CaseFeedParser.Parse(source, document, id => catalog.Find(new CaseKey(source, id))?.Case);
            // The parser keeps only the first rejections, so a feed that is wrong throughout cannot flood the log.
            foreach (var rejection in parsed.Rejections)
            {
                logger.LogWarning("Rejected a feed record: {Rejection}", rejection.ToString());
            }
            if (parsed.RejectedCount > parsed.Rejections.Count)
            {
                logger.LogWarning("Source {Source}: {More} more rejections not shown ({Total} records rejected in all)",
                    source, parsed.RejectedCount - parsed.Rejections.Count, parsed.RejectedCount);
            }
            if (parsed.RejectedCount > 0) metrics.RecordsRejected.Add(parsed.RejectedCount, Tag(source));

            var documentError = parsed.DocumentError;
            if (documentError is null && parsed.Cases.Count == 0 && catalog.CasesOf(source).Count > 0)
            {
                // An empty or all-invalid document is far more often a broken export than every case vanishing;
                // applying it would mark every case unseen.
                documentError = parsed.RecordCount == 0
                    ? "the document lists no cases; ignoring it so the stored cases stay as they are"
                    : "no record in the document is valid; ignoring it so the stored cases stay as they are";
            }
            if (documentError is not null)
            {
                logger.LogError("Feed document from source {Source} changed nothing: {Error}", source, documentError);
                metrics.DocumentsSynced.Add(1, Tag(source), new("result", "rejected"));
                return SyncReport.Refused(source, documentError, parsed.Rejections, parsed.RejectedCount);
            }

            // A rejected record was still listed: never "no longer listed". One whose id could not be read may be any
            // stored case, so then no case of this document is marked unseen.
            var plan = SyncPlanner.Plan(source, parsed.Cases, parsed.RejectedIds, catalog, time.GetUtcNow(),
                markUnlisted: parsed.RejectedWithoutId == 0);
            if (parsed.RejectedWithoutId > 0)
            {
                logger.LogWarning("Source {Source}: {Count} rejected record(s) have no readable id; no case is marked as no longer listed this time",
                    source, parsed.RejectedWithoutId);
            }
            var result = plan.Upserts.Count == 0 && plan.NotSeen.Count == 0 && plan.SeenAgain.Count == 0 && catalog.IsBaselined(source)
                ? new ApplyResult(0, 0, 0, 0)
                : await store.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);

            if (result.Conflicts > 0)
            {
                // Another writer (a second instance) changed some of these cases first: reload so the next diff is true.
                logger.LogWarning("{Conflicts} status change(s) from source {Source} were already applied by another writer; reloading the catalog", result.Conflicts, source);
                catalog.Load(await store.LoadAsync(cancellationToken).ConfigureAwait(false));
            }
            else
            {
                catalog.Apply(plan);
                _lastApplied[source] = hash;
            }

            if (result.AlertsQueued > 0) alertSignal.Notify();
            metrics.DocumentsSynced.Add(1, Tag(source), new("result", "applied"));
            if (result.StatusChanges > 0) metrics.StatusChanges.Add(result.StatusChanges, Tag(source));
            if (result.AlertsQueued > 0) metrics.AlertsQueued.Add(result.AlertsQueued, Tag(source));
            var elapsed = Stopwatch.GetElapsedTime(started);
            metrics.SyncDuration.Record(elapsed.TotalSeconds, Tag(source));

            var report = SyncReport.Applied(source, plan, parsed, result, elapsed);
            if (plan.IsBaseline)
            {
                logger.LogInformation("Source {Source}: baseline of {Cases} case(s) stored; alerts start with the next change", source, parsed.Cases.Count);
            }
            else if (report.HasChanges)
            {
                logger.LogInformation("Source {Source}: {Summary}", source, report.Summary);
            }
            return report;
        }
        finally
        {
            gate.Release();
        }
    }

    private static KeyValuePair<string, object?> Tag(string source) => new("source", source);
}

/// <summary>What one document did. Error is set when the whole document was refused (nothing changed).</summary>
public sealed record SyncReport(
    string Source,
    string? Error,
    bool Baseline,
    int Accepted,
    int New,
    int StatusChanges,
    int DetailChanges,
    int NotSeen,
    int AlertsQueued,
    int Conflicts,
    IReadOnlyList<RecordRejection> Rejections,
    TimeSpan Duration,
    bool Identical = false,
    int RejectedCount = 0)
{
    public bool Succeeded => Error is null;

    public bool HasChanges => New + StatusChanges + DetailChanges + NotSeen + RejectedCount > 0;

    public string Summary =>
        Error is not null ? $"refused: {Error}"
        : Identical ? "identical to the last document applied; nothing to do"
        : $"{Accepted} case(s) read, {New} new, {StatusChanges} status change(s), {DetailChanges} detail change(s), "
              + $"{NotSeen} no longer listed, {RejectedCount} rejected, {AlertsQueued} alert(s) queued";

    /// <summary>The document was byte-identical to the last one applied for this source: nothing to do.</summary>
    public static SyncReport Unchanged(string source, TimeSpan duration) => new(source, null, false, 0, 0, 0, 0, 0, 0, 0, [], duration, Identical: true);

    /// <param name="rejections">The first rejections (the parser keeps at most <see cref="FeedParseResult.MaxRejectionsKept"/>).</param>
    public static SyncReport Refused(string source, string error, IReadOnlyList<RecordRejection> rejections, int rejectedCount) =>
        new(source, error, false, 0, 0, 0, 0, 0, 0, 0, rejections, TimeSpan.Zero, RejectedCount: rejectedCount);

    public static SyncReport Applied(string source, SyncPlan plan, FeedParseResult parsed, ApplyResult result, TimeSpan duration)
    {
        int newCases = 0, details = 0;
        foreach (var upsert in plan.Upserts)
        {
            if (upsert.Kind == Changes.ChangeKind.FirstSeen) newCases++;
            else if (upsert.Kind == Changes.ChangeKind.DetailsChanged) details++;
        }
        return new(source, null, plan.IsBaseline, parsed.Cases.Count, newCases, result.StatusChanges, details, plan.NotSeen.Count,
            result.AlertsQueued, result.Conflicts, parsed.Rejections, duration, RejectedCount: parsed.RejectedCount);
    }
}
