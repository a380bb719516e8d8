using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="IRuleStore"/> with the real store's rules (RuleRoutingTests check those on SQLite
/// and PostgreSQL).</summary>
public sealed class InMemoryRuleStore : IRuleStore
{
    private readonly List<(WatchRule Rule, bool Removed)> _rules = [];
    private readonly Lock _lock = new();

    public Task<(WatchRule Rule, bool Added)> AddAsync(WatchRule rule, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var same = _rules.FirstOrDefault(r => !r.Removed && Same(r.Rule, rule));
            if (same.Rule is not null) return Task.FromResult((same.Rule, false));
            var stored = rule with { Id = _rules.Count + 1 };
            _rules.Add((stored, false));
            return Task.FromResult((stored, true));
        }
    }

    public Task<bool> RemoveAsync(string platform, string channelId, long id, string removedBy, DateTimeOffset removedAt, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var index = _rules.FindIndex(r => !r.Removed && r.Rule.Id == id && r.Rule.Platform == platform && r.Rule.ChannelId == channelId);
            if (index < 0) return Task.FromResult(false);
            _rules[index] = (_rules[index].Rule, true);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<WatchRule>> ListAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<WatchRule>>(_rules.Where(r => !r.Removed && r.Rule.Platform == platform && r.Rule.ChannelId == channelId).Select(r => r.Rule).ToArray());
    }

    public async Task<int> SeedAsync(IReadOnlyList<WatchRule> rules, CancellationToken cancellationToken)
    {
        var added = 0;
        foreach (var rule in rules)
        {
            bool known;
            lock (_lock) known = _rules.Any(r => Same(r.Rule, rule));
            if (!known && (await AddAsync(rule, cancellationToken)).Added) added++;
        }
        return added;
    }

    private static bool Same(WatchRule a, WatchRule b) =>
        a.Platform == b.Platform && a.ChannelId == b.ChannelId && a.Country == b.Country && a.Nationality == b.Nationality && a.HeldBy == b.HeldBy
        && a.Source == b.Source && a.Statuses.SequenceEqual(b.Statuses);
}
