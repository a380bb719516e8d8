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
    /// <summary>Active entries of every channel of one platform (at most <paramref name="max"/>).</summary>
    Task<IReadOnlyList<WatchlistEntry>> ListPlatformAsync(string platform, int max, CancellationToken cancellationToken);

    Task<int> SeedAsync(IReadOnlyList<WatchlistEntry> entries, CancellationToken cancellationToken);

    /// <summary>Binds entries stored by earlier versions without a source ('*', which matched the id in any source) to
    /// <paramref name="source"/>; an active one whose bound twin is already active is retired. Returns how many were bound.</summary>
    Task<int> BindAnySourceAsync(string source, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Active entries still stored without a source; they match no case.</summary>
    Task<int> CountAnySourceAsync(CancellationToken cancellationToken);
}
