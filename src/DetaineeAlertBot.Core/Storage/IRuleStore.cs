using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>IRuleStore keeps rule entries (<see cref="WatchRule"/>). Removal is soft (removed_by, removed_at kept), so an
/// admin's removal of a configured rule outlives the configuration.</summary>
public interface IRuleStore
{
    /// <summary>Stores a rule and returns it with its id; an identical active rule of the channel is returned instead.</summary>
    Task<(WatchRule Rule, bool Added)> AddAsync(WatchRule rule, CancellationToken cancellationToken);

    /// <summary>Removes rule <paramref name="id"/> of this channel; false when the channel has no such active rule.</summary>
    Task<bool> RemoveAsync(string platform, string channelId, long id, string removedBy, DateTimeOffset removedAt, CancellationToken cancellationToken);

    /// <summary>The channel's active rules, oldest first.</summary>
    Task<IReadOnlyList<WatchRule>> ListAsync(string platform, string channelId, CancellationToken cancellationToken);

    /// <summary>Inserts configured rules never stored before (active or removed) for their channel. Returns how many.</summary>
    Task<int> SeedAsync(IReadOnlyList<WatchRule> rules, CancellationToken cancellationToken);
}
