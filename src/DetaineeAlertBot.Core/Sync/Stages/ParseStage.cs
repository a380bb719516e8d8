using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Feeds;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Parse: the document's records, each bad one rejected with its reason and the rest kept. A document that is
/// broken as a whole, or lists no valid case while the source has stored cases, is refused: nothing changes.</summary>
/// <remarks>With a <see cref="FeedRecordMemo"/>, records byte-identical to the source's last document are not read again.</remarks>
public sealed class ParseStage(CaseCatalog catalog, BotMetrics metrics, ILogger<ParseStage> logger, FeedRecordMemo? memo = null) : ISyncStage
{
    public string Name => "parse";

    public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        var source = context.Source;
        var parsed = CaseFeedParser.Parse(source, context.Document, id => catalog.Find(new CaseKey(source, id))?.Case, memo);
        context.Parsed = parsed;
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

        if (parsed.RejectedCount > 0) metrics.RecordsRejected.Add(parsed.RejectedCount, new KeyValuePair<string, object?>("source", source));

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
            metrics.DocumentsSynced.Add(1, new("source", source), new("result", "rejected"));
            context.Report = SyncReport.Refused(source, documentError, parsed.Rejections, parsed.RejectedCount);
        }

        return Task.CompletedTask;
    }
}
