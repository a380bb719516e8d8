using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="IAlertOutbox"/> with the rules the dispatcher relies on: claims only under the
/// current term, only due rows of the asked platforms, oldest first, never a row while an older one of the same
/// channel and case is open, never in a paused platform or channel (a channel's pause lets rows through once its next
/// check is due); marks count only for a row claimed under that term. Reports are recorded (and queued as rows), once
/// per incident within their minimum interval. Counting and admin queries are not needed here and throw.</summary>
public sealed class InMemoryAlertOutbox(TimeProvider time) : IAlertOutbox
{
    private readonly Lock _lock = new();
    private readonly List<Row> _rows = [];
    private readonly List<DeliveryPause> _pauses = [];
    private readonly Dictionary<string, DateTimeOffset> _reportedAt = new(StringComparer.Ordinal);
    private long _term;

    /// <summary>One row with what was done to it.</summary>
    public sealed class Row(OutboxItem item)
    {
        public OutboxItem Item { get; set; } = item;
        public OutboxState State { get; set; } = OutboxState.Pending;
        public long? Term { get; set; }
        public DateTimeOffset DueAt { get; set; } = DateTimeOffset.MinValue;
        public string? ExternalId { get; set; }
        public string? Error { get; set; }
        public List<WaitMark> Waits { get; } = [];
    }

    public sealed record Report(string Incident, AdminReport Content, IReadOnlyList<ReportTarget> Targets, TimeSpan MinInterval);

    public List<Report> Reports { get; } = [];

    public Row this[string deliveryId]
    {
        get
        {
            lock (_lock) return _rows.Single(r => r.Item.DeliveryId == deliveryId);
        }
    }

    /// <summary>Queues rows, as <see cref="ICaseStore.ApplyAsync"/> does for alerts.</summary>
    public void Add(params OutboxItem[] items)
    {
        lock (_lock) _rows.AddRange(items.Select(i => new Row(i)));
    }

    /// <summary>Sets a pause as another instance would have.</summary>
    public void Put(DeliveryPause pause)
    {
        lock (_lock) _pauses.Add(pause);
    }

    public Task<long> BeginTermAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(++_term);
    }

    public Task<ClaimedBatch> ClaimAsync(ClaimRequest request, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (request.Term != _term) return Task.FromResult(ClaimedBatch.Empty);
            var now = time.GetUtcNow();
            var claimed = new List<OutboxItem>();
            foreach (var row in _rows)
            {
                if (claimed.Count >= request.Max) break;
                var due = row.State == OutboxState.Pending && row.DueAt <= now || row.State == OutboxState.Sending && row.Term < _term;
                if (!due || !request.Platforms.Contains(row.Item.Platform) || Paused(row.Item, now) || BehindAnOlderRow(row)) continue;
                row.State = OutboxState.Sending;
                row.Term = request.Term;
                claimed.Add(row.Item);
            }

            return Task.FromResult(claimed.Count == 0 ? ClaimedBatch.Empty : new ClaimedBatch(now, claimed));
        }
    }

    private bool Paused(OutboxItem item, DateTimeOffset now) => _pauses.Any(p => p.Platform == item.Platform
        && (p.ChannelId is null || p.ChannelId == item.ChannelId && p.NextCheckAt > now));

    private bool BehindAnOlderRow(Row row) => row.Item.Alert is { } alert && _rows.TakeWhile(r => r != row).Any(r =>
        r.State is OutboxState.Pending or OutboxState.Sending && r.Item.Platform == row.Item.Platform
        && r.Item.ChannelId == row.Item.ChannelId && r.Item.Alert?.Case.Key == alert.Case.Key);

    private Row? Claimed(string deliveryId, long term) =>
        _rows.SingleOrDefault(r => r.Item.DeliveryId == deliveryId && r.State == OutboxState.Sending && r.Term == term && term == _term);

    public Task<bool> MarkSentAsync(string deliveryId, long term, string? externalId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Claimed(deliveryId, term) is not { } row) return Task.FromResult(false);
            (row.State, row.ExternalId) = (OutboxState.Sent, externalId);
            return Task.FromResult(true);
        }
    }

    public Task<bool> MarkWaitingAsync(string deliveryId, long term, WaitMark mark, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Claimed(deliveryId, term) is not { } row) return Task.FromResult(false);
            var now = time.GetUtcNow();
            row.State = OutboxState.Pending;
            row.DueAt = now + mark.Delay;
            row.Error = mark.Reason;
            row.Waits.Add(mark);
            row.Item = row.Item with
            {
                Attempts = row.Item.Attempts + (mark.CountsAsAttempt ? 1 : 0),
                InDoubt = row.Item.InDoubt || mark.InDoubt,
                FailingSince = row.Item.FailingSince ?? (mark.Failing ? now : null),
            };
            return Task.FromResult(true);
        }
    }

    public Task<bool> MarkDeadAsync(string deliveryId, long term, string error, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Claimed(deliveryId, term) is not { } row) return Task.FromResult(false);
            (row.State, row.Error) = (OutboxState.Dead, error);
            return Task.FromResult(true);
        }
    }

    public Task<bool> PauseAsync(string platform, string? channelId, string reason, TimeSpan checkAfter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_pauses.Any(p => p.Platform == platform && p.ChannelId == channelId)) return Task.FromResult(false);
            var now = time.GetUtcNow();
            _pauses.Add(new DeliveryPause(platform, channelId, reason, now, now + checkAfter, 0));
            return Task.FromResult(true);
        }
    }

    public Task DeferPauseAsync(string platform, string? channelId, string reason, TimeSpan checkAfter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var index = _pauses.FindIndex(p => p.Platform == platform && p.ChannelId == channelId);
            if (index >= 0)
            {
                _pauses[index] = _pauses[index] with { Reason = reason, NextCheckAt = time.GetUtcNow() + checkAfter, Checks = _pauses[index].Checks + 1 };
            }

            return Task.CompletedTask;
        }
    }

    public Task<bool> ResumeAsync(string platform, string? channelId, CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult(_pauses.RemoveAll(p => p.Platform == platform && p.ChannelId == channelId) > 0);
    }

    public Task<IReadOnlyList<DeliveryPause>> GetPausesAsync(CancellationToken cancellationToken)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<DeliveryPause>>([.. _pauses]);
    }

    public Task<bool> EnqueueReportAsync(string incident, AdminReport report, IReadOnlyList<ReportTarget> targets, TimeSpan minInterval, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = time.GetUtcNow();
            if (_reportedAt.TryGetValue(incident, out var last) && now - last < minInterval) return Task.FromResult(false);
            _reportedAt[incident] = now;
            Reports.Add(new Report(incident, report, targets, minInterval));
            _rows.AddRange(targets.Select(t => new Row(new OutboxItem($"report:{incident}:{t.Platform}:{t.ChannelId}:{Reports.Count}",
                t.Platform, t.ChannelId, null, report, 0, false, null, null, now))));
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<AlertMessage>> ListWithheldAsync(string platform, string channelId, DetaineeAlertBot.Core.Cases.CaseKey? caseKey, DateTimeOffset from, DateTimeOffset to, int max,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<AlertMessage>>(_rows
                .Where(r => r.ExternalId == IAlertOutbox.WithheldExternalId && r.Item.Platform == platform && r.Item.ChannelId == channelId && r.Item.Alert is not null
                    && r.Item.CreatedAt >= from && r.Item.CreatedAt <= to && (caseKey is null || r.Item.Alert.Case.Key == caseKey))
                .OrderByDescending(r => r.Item.CreatedAt).Take(max).Select(r => r.Item.Alert!).ToArray());
        }
    }

    public Task<OutboxRow?> FindAsync(string deliveryId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var row = _rows.SingleOrDefault(r => r.Item.DeliveryId == deliveryId);
            return Task.FromResult(row is null ? null : new OutboxRow(row.Item.DeliveryId, row.Item.Platform, row.Item.ChannelId,
                row.Item.Alert?.Case.Source ?? "", row.Item.Alert?.Case.Id ?? "", row.State, row.Item.Attempts, row.Error, row.ExternalId,
                row.Item.CreatedAt, row.State == OutboxState.Sent ? time.GetUtcNow() : null));
        }
    }

    public Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<ChannelBacklog>> GetBacklogAsync(int max, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<DeadLetter>> ListDeadAsync(int max, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> RetryDeadAsync(string? deliveryId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> PruneDeliveredAsync(TimeSpan olderThan, int batchSize, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<OutboxPlatformCount>> CountByPlatformAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
