using System.Security.Cryptography;
using DetaineeAlertBot.Core.Diagnostics;

namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Read: a document byte-identical to the last one applied for its source cannot change anything, so it ends
/// here without parsing or diffing.</summary>
public sealed class SkipIdenticalStage(AppliedDocuments applied, BotMetrics metrics) : ISyncStage
{
    public string Name => "skip-identical";

    public Task RunAsync(SyncContext context, CancellationToken cancellationToken)
    {
        context.Hash = SHA256.HashData(context.Document.Span);
        if (applied.IsLastApplied(context.Source, context.Hash))
        {
            metrics.DocumentsSynced.Add(1, new("source", context.Source), new("result", "identical"));
            context.Report = SyncReport.Unchanged(context.Source, TimeSpan.Zero);
            return Task.CompletedTask;
        }

        // Whatever happens next, this document is not known to be applied until the store stage says so.
        applied.Forget(context.Source);
        return Task.CompletedTask;
    }
}
