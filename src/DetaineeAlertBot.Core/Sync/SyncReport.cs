using DetaineeAlertBot.Core.Feeds;

namespace DetaineeAlertBot.Core.Sync;

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
