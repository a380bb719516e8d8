using DetaineeAlertBot.Core.Feeds;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>SyncContext is one feed document on its way through the <see cref="SyncPipeline"/>: each stage reads what
/// the stages before it left and adds its own part. A stage that settles the document early (identical bytes, a
/// refused document) sets <see cref="Report"/>, and the stages after it do not run.</summary>
public sealed class SyncContext(string source, ReadOnlyMemory<byte> document, DateTimeOffset? receivedAt = null)
{
    public string Source { get; } = source;

    public ReadOnlyMemory<byte> Document { get; } = document;

    /// <summary>When the pipeline was handed the document, before it waited for the source's turn: the moment its
    /// changes count as observed, so change-to-delivery times start at receipt. Null: the plan stage's clock.</summary>
    public DateTimeOffset? ReceivedAt { get; } = receivedAt;

    /// <summary>SHA-256 of <see cref="Document"/> (set by <see cref="Stages.SkipIdenticalStage"/>).</summary>
    public byte[]? Hash { get; set; }

    /// <summary>The parsed records and rejections (set by <see cref="Stages.ParseStage"/>).</summary>
    public FeedParseResult? Parsed { get; set; }

    /// <summary>A change made by hand instead of a document (<see cref="SyncPipeline.ApplyManualAsync"/>).</summary>
    public ManualChange? Manual { get; init; }

    /// <summary>What the document changes (set by <see cref="Stages.PlanStage"/>).</summary>
    public SyncPlan? Plan { get; set; }

    /// <summary>The dispatcher's claim the store made with the plan's new alerts, if it offered one (set by
    /// <see cref="Stages.StoreStage"/>); the publish stage hands the claimed rows over under it.</summary>
    public ClaimRequest? Claim { get; set; }

    /// <summary>What the store did with the plan (set by <see cref="Stages.StoreStage"/>).</summary>
    public ApplyResult? Result { get; set; }

    /// <summary>The outcome; once set, the pipeline stops.</summary>
    public SyncReport? Report { get; set; }

    internal FeedParseResult ParsedOrThrow => Parsed ?? throw new InvalidOperationException("the parse stage has not run");

    internal SyncPlan PlanOrThrow => Plan ?? throw new InvalidOperationException("the plan stage has not run");
}

/// <summary>One step of the sync: a small type with one method. Stages are listed, in order, in
/// <see cref="SyncPipeline.Create"/>.</summary>
public interface ISyncStage
{
    /// <summary>The stage's name in traces and the stage-duration histogram.</summary>
    string Name { get; }

    Task RunAsync(SyncContext context, CancellationToken cancellationToken);
}
