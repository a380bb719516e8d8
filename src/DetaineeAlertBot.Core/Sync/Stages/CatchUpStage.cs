namespace DetaineeAlertBot.Core.Sync.Stages;

/// <summary>Read, with a shared database: first bring the catalog up to what other instances wrote, so the diff is
/// against the stored truth and not this instance's older view.</summary>
public sealed class CatchUpStage(CatalogRefresher refresher) : ISyncStage
{
    public string Name => "catch-up";

    public Task RunAsync(SyncContext context, CancellationToken cancellationToken) => refresher.RefreshAsync(cancellationToken);
}
