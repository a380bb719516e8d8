using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="IDigestStore"/> with the real store's rules (DigestStoreTests check those on SQLite and
/// PostgreSQL). Changes are collected with <see cref="Collect"/>; queued digests are in <see cref="Queued"/>.</summary>
public sealed class InMemoryDigestStore : IDigestStore
{
    private readonly Dictionary<(string, string), ChannelDigest> _digests = [];
    private readonly List<(AlertMessage Alert, string? DigestId)> _collected = [];
    private readonly Lock _lock = new();

    public List<(string Platform, string ChannelId, DateTimeOffset DueAt, AdminReport Report)> Queued { get; } = [];

    public void Collect(AlertMessage alert)
    {
        lock (_lock) _collected.Add((alert, null));
    }

    public Task<ChannelDigest?> GetAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_digests.TryGetValue((platform, channelId), out var d) ? d with { Collected = Pending(platform, channelId).Count } : null);
    }

    public Task SetAsync(string platform, string channelId, DigestSchedule? schedule, string setBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var last = _digests.TryGetValue((platform, channelId), out var old) ? old.LastDueAt : null;
            _digests[(platform, channelId)] = new ChannelDigest(platform, channelId, schedule, setBy, at, last);
        }
        return Task.CompletedTask;
    }

    public Task<int> SeedAsync(IReadOnlyList<(string Platform, string ChannelId, DigestSchedule? Schedule)> seeds, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var added = 0;
            foreach (var (platform, channelId, schedule) in seeds)
            {
                if (_digests.TryAdd((platform, channelId), new ChannelDigest(platform, channelId, schedule, "config", at, null))) added++;
            }
            return Task.FromResult(added);
        }
    }

    public Task<IReadOnlyList<ChannelDigest>> ListActiveAsync(int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ChannelDigest>>(_digests.Values
                .Select(d => d with { Collected = Pending(d.Platform, d.ChannelId).Count })
                .Where(d => d.Schedule is not null || d.Collected > 0).Take(max).ToArray());
        }
    }

    public Task<bool> IsCollectingAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_digests.TryGetValue((platform, channelId), out var d) && d.Schedule is not null);
    }

    public Task<DigestQueueResult> QueueAsync(string platform, string channelId, DateTimeOffset dueAt, Func<IReadOnlyList<AlertMessage>, DateTimeOffset, AdminReport?> render,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_digests.TryGetValue((platform, channelId), out var digest) || digest.LastDueAt >= dueAt)
                return Task.FromResult(new DigestQueueResult(DigestQueueOutcome.AlreadyDone, 0, null));
            _digests[(platform, channelId)] = digest with { LastDueAt = dueAt };
            var pending = Pending(platform, channelId);
            if (render(pending, digest.LastDueAt ?? digest.SetAt) is not { } report) return Task.FromResult(new DigestQueueResult(DigestQueueOutcome.Empty, 0, null));
            var id = $"digest-{Queued.Count + 1}";
            Queued.Add((platform, channelId, dueAt, report));
            for (var i = 0; i < _collected.Count; i++)
            {
                if (_collected[i].DigestId is null && pending.Contains(_collected[i].Alert)) _collected[i] = (_collected[i].Alert, id);
            }
            return Task.FromResult(new DigestQueueResult(DigestQueueOutcome.Queued, pending.Count, id));
        }
    }

    public Task<IReadOnlyList<AlertMessage>> ListCollectedAsync(string platform, string channelId, int max, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<AlertMessage>>(Pending(platform, channelId).Take(max).ToArray());
    }

    private List<AlertMessage> Pending(string platform, string channelId) =>
        _collected.Where(c => c.DigestId is null && c.Alert.Platform == platform && c.Alert.ChannelId == channelId).Select(c => c.Alert).ToList();
}
