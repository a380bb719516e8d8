using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Digests;

/// <summary>
/// DigestRunner queues each digest channel's digest when its schedule comes round (on the leader; see
/// <see cref="IDigestStore.QueueAsync"/> for why a digest is never doubled). However many occurrences a stopped bot
/// missed, it queues one digest, keyed by the latest. A channel whose schedule was turned off gets what it still holds
/// at once, as one last digest.
/// </summary>
/// <param name="dispatcher">Woken when a digest is queued, so it goes out now rather than at the dispatcher's next poll.</param>
public sealed class DigestRunner(IDigestStore digests, IWatchlistStore watchlists, IRuleStore rules, CaseCatalog catalog, TimeProvider time,
    ILogger<DigestRunner> logger, AlertSignal? dispatcher = null)
{
    /// <summary>How many digest channels one run looks at; the rest wait for the next run.</summary>
    public const int MaxChannelsPerRun = 1000;

    private readonly AlertSignal _wake = new(time);

    /// <summary>A schedule was set or turned off: look now instead of at the next tick.</summary>
    public void Notify() => _wake.Notify();

    /// <summary>Waits for <see cref="Notify"/> or <paramref name="timeout"/> on the clock.</summary>
    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    /// <summary>Queues every digest that is due; returns how many were queued, and the next time one falls due.</summary>
    public async Task<(int Queued, DateTimeOffset? NextDueAt)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var queued = 0;
        DateTimeOffset? next = null;
        Lazy<IReadOnlyList<StoredCase>> unlisted = new(UnlistedCases);
        foreach (var channel in await digests.ListActiveAsync(MaxChannelsPerRun, cancellationToken).ConfigureAwait(false))
        {
            // Off but still holding changes (turned off while a delivery was collecting): they go out now.
            var due = channel.Schedule is { } schedule ? schedule.DueAt(channel.DueFrom, now) : channel.Collected > 0 ? now : (DateTimeOffset?)null;
            if (due is { } dueAt)
            {
                if (await QueueAsync(channel, dueAt, unlisted.Value, cancellationToken).ConfigureAwait(false)) queued++;
            }
            // Nothing of this schedule is due in (DueFrom, now] any more, so its next occurrence is the first after now.
            if (channel.Schedule?.NextAfter(now) is { } after && (next is null || after < next)) next = after;
        }
        return (queued, next);
    }

    /// <summary>/watchlist digest schedule:off — the channel's pending changes go out now as one last digest.</summary>
    public async Task<DigestQueueResult> FlushAsync(string platform, string channelId, CancellationToken cancellationToken)
    {
        var channel = await digests.GetAsync(platform, channelId, cancellationToken).ConfigureAwait(false);
        return channel is null
            ? new DigestQueueResult(DigestQueueOutcome.Empty, 0, null)
            : await QueueCoreAsync(channel, time.GetUtcNow(), UnlistedCases(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> QueueAsync(ChannelDigest channel, DateTimeOffset dueAt, IReadOnlyList<StoredCase> notListed, CancellationToken cancellationToken) =>
        (await QueueCoreAsync(channel, dueAt, notListed, cancellationToken).ConfigureAwait(false)).Outcome == DigestQueueOutcome.Queued;

    private async Task<DigestQueueResult> QueueCoreAsync(ChannelDigest channel, DateTimeOffset dueAt, IReadOnlyList<StoredCase> notListed,
        CancellationToken cancellationToken)
    {
        var unlisted = await UnlistedAsync(channel, dueAt, notListed, cancellationToken).ConfigureAwait(false);
        var result = await digests.QueueAsync(channel.Platform, channel.ChannelId, dueAt,
            (changes, since) => DigestText.Render(changes, since, channel.Schedule, unlisted.Where(u => u.NotSeenSince > since).ToList()), cancellationToken).ConfigureAwait(false);
        if (result.Outcome == DigestQueueOutcome.Queued) dispatcher?.Notify();
        if (result.Outcome != DigestQueueOutcome.AlreadyDone)
        {
            logger.LogInformation("Digest for {Platform} channel {ChannelId} due {DueAt:O}: {Outcome} ({Changes} change(s))",
                channel.Platform, channel.ChannelId, dueAt, result.Outcome == DigestQueueOutcome.Queued ? "queued" : "nothing to tell", result.Changes);
        }
        return result;
    }

    /// <summary>Every case its source does not list now: read from the catalog once per run, not once per digest channel
    /// (500 channels due at 09:00 would otherwise scan 100,000 cases each).</summary>
    private IReadOnlyList<StoredCase> UnlistedCases() =>
        catalog.SourceNames.SelectMany(catalog.CasesOf).Where(c => c.NotSeenSince is not null).ToList();

    /// <summary>The cases this channel follows (directly or by a rule) that their source stopped listing after the last
    /// digest was due (or the schedule was set) and by <paramref name="until"/>.</summary>
    private async Task<IReadOnlyList<UnlistedCase>> UnlistedAsync(ChannelDigest channel, DateTimeOffset until, IReadOnlyList<StoredCase> notListed,
        CancellationToken cancellationToken)
    {
        var from = channel.LastDueAt ?? channel.SetAt;
        var gone = notListed.Where(c => c.NotSeenSince is { } notSeen && notSeen > from && notSeen <= until).ToList();
        if (gone.Count == 0) return [];
        var direct = (await watchlists.ListAsync(channel.Platform, channel.ChannelId, cancellationToken).ConfigureAwait(false))
            .Select(e => (e.CaseSource, e.CaseId)).ToHashSet();
        var followed = await rules.ListAsync(channel.Platform, channel.ChannelId, cancellationToken).ConfigureAwait(false);
        return gone
            .Where(c => direct.Contains((c.Case.Source, c.Case.Id)) || direct.Contains((WatchlistEntry.AnySource, c.Case.Id)) || followed.Any(rule => rule.Matches(c.Case)))
            .Select(c => new UnlistedCase(c.Case, c.NotSeenSince!.Value))
            .ToList();
    }
}
