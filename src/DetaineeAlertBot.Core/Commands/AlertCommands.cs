using System.Globalization;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>/alerts status (anyone in the team), /alerts dead and /alerts retry id:&lt;delivery id|all&gt; (admins): what
/// is waiting, what could not be delivered, and sending it again once the cause is fixed. Who may run which is in the
/// <see cref="CommandTable"/>; <see cref="BotCommands"/> refuses everyone else before these run.</summary>
public sealed class AlertCommands(IAlertOutbox outbox)
{
    private const int MaxListed = 15;

    public async Task<CommandReply> StatusAsync(CancellationToken cancellationToken)
    {
        var stats = await outbox.GetStatsAsync(cancellationToken).ConfigureAwait(false);
        var pauses = await outbox.GetPausesAsync(cancellationToken).ConfigureAwait(false);
        var backlog = await outbox.GetBacklogAsync(MaxListed, cancellationToken).ConfigureAwait(false);
        var fields = new List<ReplyField>
        {
            new("Pending", $"{stats.Pending} ({stats.Waiting} waiting)"),
            new("Sending", stats.Sending.ToString(CultureInfo.InvariantCulture)),
            new("Dead letters", stats.Dead.ToString(CultureInfo.InvariantCulture)),
            new("Delivered", stats.Delivered.ToString(CultureInfo.InvariantCulture)),
        };
        foreach (var pause in pauses)
        {
            var where = pause.ChannelId is null ? $"{pause.Platform} (all channels)" : $"{pause.Platform} channel {pause.ChannelId}";
            fields.Add(new ReplyField($"Paused: {where}", $"since {pause.Since:yyyy-MM-dd HH:mm} UTC: {pause.Reason}", Inline: false));
        }
        foreach (var channel in backlog)
        {
            fields.Add(new ReplyField($"Waiting: {channel.Platform} {channel.ChannelId}",
                $"{channel.Open} alert(s), oldest from {channel.OldestCreatedAt:yyyy-MM-dd HH:mm} UTC" + (channel.LastError is { } error ? $"; last error: {error}" : ""), Inline: false));
        }
        var text = stats.Dead > 0 ? "Admins: /alerts dead lists the dead letters, /alerts retry id:<id|all> sends them again." : "";
        return new CommandReply("Alert delivery", fields, text, Ephemeral: true, stats.Dead > 0 || pauses.Count > 0 ? ReplyTone.Error : ReplyTone.Info);
    }

    public async Task<CommandReply> DeadAsync(CancellationToken cancellationToken)
    {
        var dead = await outbox.ListDeadAsync(MaxListed, cancellationToken).ConfigureAwait(false);
        if (dead.Count == 0) return CommandReply.Success("Dead letters", "None: every alert was delivered or is still being retried.");
        var fields = dead.Select(d => new ReplyField(
            d.DeliveryId,
            $"{d.Title ?? $"{d.CaseSource}:{d.CaseId}"} → {d.Platform} {d.ChannelId}; dead since {d.DeadAt:yyyy-MM-dd HH:mm} UTC; {d.LastError}",
            Inline: false)).ToArray();
        return new CommandReply($"Dead letters (newest {dead.Count})", fields, "Send one again with /alerts retry id:<id>, or all with /alerts retry id:all.",
            Ephemeral: true, ReplyTone.Info);
    }

    public async Task<CommandReply> RetryAsync(string? query, CommandContext context, CancellationToken cancellationToken)
    {
        var id = query?.Trim() ?? "";
        if (id.StartsWith("id:", StringComparison.OrdinalIgnoreCase)) id = id[3..].Trim();
        if (id.Length == 0) return CommandReply.Info(null, "Usage: /alerts retry id:<delivery id> or /alerts retry id:all (/alerts dead lists the ids).");
        var all = string.Equals(id, "all", StringComparison.OrdinalIgnoreCase);
        var count = await outbox.RetryDeadAsync(all ? null : id, cancellationToken).ConfigureAwait(false);
        return count == 0
            ? CommandReply.Info(null, all ? "There are no dead letters to send again." : $"No dead letter has the id '{id}' (/alerts dead lists them).")
            : CommandReply.Success("Queued again", $"{count} alert(s) queued again by {context.Actor}; they are sent in order and retried for Alerts:GiveUpAfter again.", ephemeral: false);
    }
}
