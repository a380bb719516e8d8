using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="IWatchlistStore"/> with the real store's rules: one active entry per platform, channel
/// and case; removal is soft (the row stays, inactive); seeding adds only keys never seen; "any source" entries bind to
/// the first source that reports. The platform-wide listing is not needed by the tests that use it and throws.</summary>
public sealed class InMemoryWatchlistStore : IWatchlistStore
{
    public Task<IReadOnlyList<WatchlistEntry>> ListPlatformAsync(string platform, int max, CancellationToken cancellationToken) =>
        throw new NotSupportedException("not used by the tests of this fake");

    private readonly List<(WatchlistEntry Entry, bool Active)> _rows = [];

    public IReadOnlyList<WatchlistEntry> Entries => _rows.Where(r => r.Active).Select(r => r.Entry).ToArray();

    public Task<WatchAddResult> AddAsync(WatchlistEntry entry, CancellationToken cancellationToken)
    {
        if (_rows.Any(r => r.Active && Same(r.Entry, entry.Platform, entry.ChannelId, entry.CaseSource, entry.CaseId))) return Task.FromResult(WatchAddResult.AlreadyWatched);
        _rows.Add((entry, true));
        return Task.FromResult(WatchAddResult.Added);
    }

    public Task<bool> RemoveAsync(string platform, string channelId, CaseKey caseKey, string removedBy, DateTimeOffset removedAt, CancellationToken cancellationToken)
    {
        var index = _rows.FindIndex(r => r.Active && Same(r.Entry, platform, channelId, caseKey.Source, caseKey.Id));
        if (index < 0) return Task.FromResult(false);
        _rows[index] = (_rows[index].Entry, false);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<WatchlistEntry>> ListAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<WatchlistEntry>>(Entries.Where(e => e.Platform == platform && e.ChannelId == channelId).ToArray());

    public Task<int> SeedAsync(IReadOnlyList<WatchlistEntry> entries, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var entry in entries.Where(e => !_rows.Any(r => Same(r.Entry, e.Platform, e.ChannelId, e.CaseSource, e.CaseId))))
        {
            _rows.Add((entry, true));
            added++;
        }
        return Task.FromResult(added);
    }

    public Task<int> BindAnySourceAsync(string source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var bound = 0;
        for (var i = 0; i < _rows.Count; i++)
        {
            if (_rows[i].Entry.CaseSource != WatchlistEntry.AnySource) continue;
            _rows[i] = (_rows[i].Entry with { CaseSource = source }, _rows[i].Active);
            bound++;
        }
        return Task.FromResult(bound);
    }

    public Task<int> CountAnySourceAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_rows.Count(r => r.Active && r.Entry.CaseSource == WatchlistEntry.AnySource));

    private static bool Same(WatchlistEntry e, string platform, string channel, string source, string id) =>
        e.Platform == platform && e.ChannelId == channel && e.CaseSource == source && e.CaseId == id;
}
