using System.Globalization;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Cards;

/// <summary>
/// MuteSummaries tells a channel what it missed: when a mute ends (it expires, or an admin unmutes), the channel gets
/// one summary of the changes withheld meanwhile, latest status first, each case once. The summary is an outbox report
/// row for that channel (never lost, sent like any alert); its incident key is the mute's period, so a crash between
/// queuing it and marking the mute summarized cannot queue it twice.
/// </summary>
public sealed class MuteSummaries(ICardStore cards, IAlertOutbox outbox, CaseCatalog catalog, TimeProvider time, ILogger<MuteSummaries> logger)
{
    /// <summary>How many ended mutes one run handles; the rest wait for the next run.</summary>
    public const int MaxPerRun = 100;

    /// <summary>How many withheld changes a summary lists (the count says how many more there were).</summary>
    public const int MaxChanges = 50;

    /// <summary>Longer than any mute can last (90 days), so an incident is never reported twice.</summary>
    private static readonly TimeSpan OncePerPeriod = TimeSpan.FromDays(400);

    // The same wake-up the dispatcher and the digest runner use: a notification, or the timeout on the bot's clock.
    private readonly AlertSignal _work = new(time);

    /// <summary>A mute was ended by hand: the worker summarizes it now instead of at its next tick.</summary>
    public void Notify() => _work.Notify();

    /// <summary>Waits for <see cref="Notify"/> or <paramref name="interval"/> on the clock, whichever comes first.</summary>
    public Task WaitForWorkAsync(TimeSpan interval, CancellationToken cancellationToken) => _work.WaitAsync(interval, cancellationToken);

    /// <summary>Queues the summary of every ended mute not summarized yet; returns how many summaries were queued.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var queued = 0;
        foreach (var mute in await cards.ListEndedUnsummarizedAsync(now, MaxPerRun, cancellationToken).ConfigureAwait(false))
        {
            var withheld = await outbox.ListWithheldAsync(mute.Platform, mute.ChannelId, mute.IsChannelWide ? null : mute.Case, mute.SetAt, mute.Until,
                MaxChanges * 4, cancellationToken).ConfigureAwait(false);
            if (withheld.Count > 0)
            {
                var incident = $"mute-summary:{mute.Platform}:{mute.ChannelId}:{mute.Case}:{mute.SetAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}";
                if (await outbox.EnqueueReportAsync(incident, Summary(mute, withheld), [new ReportTarget(mute.Platform, mute.ChannelId)], OncePerPeriod, cancellationToken)
                        .ConfigureAwait(false))
                {
                    queued++;
                }
            }
            await cards.MarkSummarizedAsync(mute, now, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Mute of {Case} in {Platform} channel {ChannelId} ended; {Count} withheld change(s) summarized", mute.Case, mute.Platform, mute.ChannelId, withheld.Count);
        }
        return queued;
    }

    /// <summary>"While Amir Amiry was muted here (… – …): 3 changes" and one line per case, latest first.</summary>
    public AdminReport Summary(CaseMute mute, IReadOnlyList<AlertMessage> withheld)
    {
        var what = mute.IsChannelWide ? "this channel" : catalog.Find(mute.Case)?.Case.Name ?? $"case {mute.Case.Id}";
        var title = $"While {what} was muted ({When(mute.SetAt)} – {When(mute.Until)}): {withheld.Count} change{(withheld.Count == 1 ? "" : "s")}";
        // Newest first from the store: each case's first row is its latest status; its path runs back from there.
        var lines = withheld.GroupBy(a => a.Case.Key).Take(MaxChanges).Select(group =>
        {
            var latest = group.First();
            var path = string.Join(" → ", group.Reverse().Select(a => a.OldStatus.ToDisplay()).Append(latest.NewStatus.ToDisplay()));
            return $"{latest.Case.Name}: {path} (latest {When(latest.ObservedAt)})";
        }).ToList();
        var cases = withheld.Select(a => a.Case.Key).Distinct().Count();
        if (cases > MaxChanges) lines.Add($"… and {cases - MaxChanges} more cases; /case history shows each.");
        return new AdminReport(title, lines);
    }

    private static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
