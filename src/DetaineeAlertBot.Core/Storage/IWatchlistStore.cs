using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>IWatchlistStore keeps which channel watches which case. Removal is soft (removed_by, removed_at kept)
/// so the audit trail survives.</summary>
public interface IWatchlistStore
{
    Task<WatchAddResult> AddAsync(WatchlistEntry entry, CancellationToken cancellationToken);

    /// <summary>Deactivates the active entry for (platform, channel, case); false when there was none.</summary>
    Task<bool> RemoveAsync(string platform, string channelId, CaseKey caseKey, string removedBy, DateTimeOffset removedAt, CancellationToken cancellationToken);

    /// <summary>Active entries of one channel, oldest first.</summary>
    Task<IReadOnlyList<WatchlistEntry>> ListAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>Inserts configured entries that were never stored before (active or removed), so an admin's removal
    /// survives a restart. Returns how many were inserted.</summary>
    Task<int> SeedAsync(IReadOnlyList<WatchlistEntry> entries, CancellationToken cancellationToken);
}
