using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>WatchlistCommands answers /watchlist add|remove|list for the channel the command was run in.
/// Changing a watchlist is for admins only (<see cref="CommandTable"/>; <see cref="BotCommands"/> refuses everyone
/// else before these run), and never binds a case the user did not clearly mean.</summary>
public sealed class WatchlistCommands(CaseCatalog catalog, IWatchlistStore watchlists, ICardStore cards, IRuleStore rules, MuteSummaries summaries,
    IDigestStore digests, DigestRunner digestRunner, TimeProvider time)
{
    private static readonly string[] MuteKeys = ["query", "for"];
    private static readonly string[] RuleKeys = ["country", "nationality", "held_by", "status", "source"];
    /// <summary>Below this score a fuzzy match is not bound: the user is asked for the case id instead.</summary>
    public const double BindConfidence = 0.85;

    public async Task<CommandReply> AddAsync(string? query, CommandContext context, CancellationToken cancellationToken)
    {
        var (target, reply) = ResolveForChange(query, "add");
        if (target is null) return reply!;

        var entry = new WatchlistEntry(context.Platform, context.ChannelId, target.Source, target.Id, context.Actor, time.GetUtcNow());
        var result = await watchlists.AddAsync(entry, cancellationToken).ConfigureAwait(false);
        return result == WatchAddResult.Added
            ? CommandReply.Success("Added to this channel's watchlist",
                $"{CaseFormat.NameWithStatus(target)} — {CaseFormat.Reference(target)}.\nThis channel gets an alert whenever its status changes.", ephemeral: false)
            : CommandReply.Info(null, $"This channel already follows {CaseFormat.NameWithStatus(target)} — {CaseFormat.Reference(target)}.");
    }

    public async Task<CommandReply> RemoveAsync(string? query, CommandContext context, CancellationToken cancellationToken)
    {
        var (target, reply) = ResolveForChange(query, "remove");
        if (target is null) return reply!;

        var removed = await watchlists.RemoveAsync(context.Platform, context.ChannelId, target.Key, context.Actor, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (!removed)
        {
            // Entries seeded from config may name only the id (any source).
            removed = await watchlists.RemoveAsync(context.Platform, context.ChannelId, new CaseKey(WatchlistEntry.AnySource, target.Id), context.Actor, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        return removed
            ? CommandReply.Success("Removed from this channel's watchlist", $"{CaseFormat.NameWithStatus(target)} — {CaseFormat.Reference(target)}.", ephemeral: false)
            : CommandReply.Info(null, $"This channel does not follow {CaseFormat.NameWithStatus(target)} — {CaseFormat.Reference(target)}; nothing was changed.");
    }

    public async Task<CommandReply> ListAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var entries = await watchlists.ListAsync(context.Platform, context.ChannelId, cancellationToken).ConfigureAwait(false);
        var channelRules = await rules.ListAsync(context.Platform, context.ChannelId, cancellationToken).ConfigureAwait(false);
        var lines = entries.Select(entry =>
        {
            var record = entry.CaseSource == WatchlistEntry.AnySource
                ? catalog.FindById(entry.CaseId).FirstOrDefault()?.Case
                : catalog.Find(new CaseKey(entry.CaseSource, entry.CaseId))?.Case;
            var what = record is null
                ? $"case {entry.CaseId} (not in any loaded feed yet)"
                : $"{CaseFormat.NameWithStatus(record)} — {CaseFormat.Reference(record)}";
            return $"• {what}, added by {entry.AddedBy} on {CaseFormat.Date(entry.AddedAt)}";
        });
        var ruleLines = channelRules.Select(r => $"• rule {r.Id}: {r.Describe()}, added by {r.AddedBy} on {CaseFormat.Date(r.AddedAt)}");
        var now = time.GetUtcNow();
        var mutes = await cards.ListMutesAsync(context.Platform, context.ChannelId, now, cancellationToken).ConfigureAwait(false);
        var muteLines = mutes.Select(m => $"• muted: {MutedName(m)} until {CaseFormat.DateTime(m.Until)}, by {m.SetByName} on {CaseFormat.Date(m.SetAt)}");
        var style = await cards.GetStyleSettingAsync(context.Platform, context.ChannelId, cancellationToken).ConfigureAwait(false);
        var styleLine = style is null
            ? "Style: card (the default)"
            : $"Style: {style.Style.ToWire()}, set by {style.SetBy} on {CaseFormat.Date(style.SetAt)}";
        var digest = await digests.GetAsync(context.Platform, context.ChannelId, cancellationToken).ConfigureAwait(false);
        var digestLine = digest switch
        {
            null => "Digest: off (each change is posted at once; the default)",
            { Schedule: null } => $"Digest: off, set by {digest.SetBy} on {CaseFormat.Date(digest.SetAt)}",
            { Schedule: { } schedule } => $"Digest: {schedule}, set by {digest.SetBy} on {CaseFormat.Date(digest.SetAt)}; next {CaseFormat.DateTime(schedule.NextAfter(now))}",
        };
        var settings = muteLines.Append(digestLine).Append(styleLine);
        if (entries.Count == 0 && channelRules.Count == 0)
        {
            return CommandReply.Info("This channel follows no cases", string.Join('\n',
                settings.Prepend("An admin can add one with `/watchlist add <name or case id>`, or follow a rule with `/watchlist follow country:<name>`.")));
        }
        var title = $"This channel follows {entries.Count} case{(entries.Count == 1 ? "" : "s")}"
            + (channelRules.Count > 0 ? $" and {channelRules.Count} rule{(channelRules.Count == 1 ? "" : "s")}" : "");
        return CommandReply.Info(title, string.Join('\n', lines.Concat(ruleLines).Concat(settings)));
    }

    /// <summary>/watchlist follow country:… nationality:… held_by:… status:… source:… (at least one).</summary>
    public async Task<CommandReply> FollowAsync(string? text, CommandContext context, CancellationToken cancellationToken)
    {
        var values = KeyValueText.Parse(text, RuleKeys, out var stray);
        var statuses = WatchRule.ParseStatuses(values.GetValueOrDefault("status"), out var unknown);
        var rule = new WatchRule(0, context.Platform, context.ChannelId, Field(values, "country"), Field(values, "nationality"), Field(values, "held_by"),
            Field(values, "source"), statuses, context.Actor, time.GetUtcNow());
        if (unknown.Count > 0)
        {
            return CommandReply.Info(null, $"'{string.Join(", ", unknown)}' is not a status; nothing was changed. Statuses: {CaseStatuses.AllowedValues.Replace("|", ", ", StringComparison.Ordinal)}.");
        }
        if (rule.IsEmpty || stray.Length > 0)
        {
            return CommandReply.Info(null, "Give at least one of country:, nationality:, held_by:, status:, source:, e.g. `/watchlist follow country:Iran status:detained, charged`. Nothing was changed.");
        }
        var (stored, added) = await rules.AddAsync(rule, cancellationToken).ConfigureAwait(false);
        var matching = catalog.SourceNames.SelectMany(catalog.CasesOf).Count(c => stored.Matches(c.Case));
        return added
            ? CommandReply.Success($"This channel now follows rule {stored.Id}", $"{stored.Describe()}: {matching} case(s) match today; "
                + "this channel gets their changes, and cases that match later.", ephemeral: false)
            : CommandReply.Info(null, $"This channel already follows that rule (rule {stored.Id}: {stored.Describe()}).");
    }

    /// <summary>/watchlist mute query:&lt;name or id | all&gt; for:&lt;duration&gt;: the case's changes here are recorded, not
    /// posted, until then; when the mute ends the channel gets one summary.</summary>
    public async Task<CommandReply> MuteAsync(string? text, CommandContext context, CancellationToken cancellationToken)
    {
        var values = KeyValueText.Parse(text, MuteKeys, out var stray);
        var query = values.GetValueOrDefault("query") ?? (stray.Length > 0 ? stray : null);
        if (!MuteDuration.TryParse(values.GetValueOrDefault("for"), out var duration))
        {
            return CommandReply.Info(null, "For how long? Give for: with a number and m, h or d, from 1 minute to 90 days, e.g. `/watchlist mute query:Amir Amiry for:24h`. Nothing was changed.");
        }
        var (key, name, reply) = ResolveMuteTarget(query, "mute");
        if (reply is not null) return reply;
        var now = time.GetUtcNow();
        var until = now + duration;
        await cards.MuteAsync(new CaseMute(context.Platform, context.ChannelId, key, until, context.UserId, context.UserName ?? context.UserId, now), cancellationToken)
            .ConfigureAwait(false);
        return CommandReply.Success($"Muted {name} here until {CaseFormat.DateTime(until)}",
            "Changes are recorded, not posted. When the mute ends (then, or with /watchlist unmute) this channel gets one summary of what changed.", ephemeral: false);
    }

    /// <summary>/watchlist unmute query:&lt;name or id | all&gt;.</summary>
    public async Task<CommandReply> UnmuteAsync(string? query, CommandContext context, CancellationToken cancellationToken)
    {
        var (key, name, reply) = ResolveMuteTarget(query, "unmute");
        if (reply is not null) return reply;
        if (!await cards.UnmuteAsync(context.Platform, context.ChannelId, key, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return CommandReply.Info(null, $"{name} is not muted here; nothing was changed.");
        }
        summaries.Notify();
        return CommandReply.Success($"Unmuted {name} here", "Changes are posted again; a summary of what changed while muted follows.", ephemeral: false);
    }

    private (Cases.CaseKey Key, string Name, CommandReply? Reply) ResolveMuteTarget(string? query, string verb)
    {
        if (string.Equals(query?.Trim(), "all", StringComparison.OrdinalIgnoreCase)) return (CaseMute.AllCases, "every case", null);
        var (target, reply) = ResolveForChange(query, verb);
        return target is null ? (default, "", reply) : (target.Key, target.Name, null);
    }

    /// <summary>/watchlist unfollow rule:&lt;id&gt;.</summary>
    public async Task<CommandReply> UnfollowAsync(string? value, CommandContext context, CancellationToken cancellationToken)
    {
        if (!long.TryParse(value?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
        {
            return CommandReply.Info(null, "Which rule? Give its id from `/watchlist list`, e.g. `/watchlist unfollow rule:3`. Nothing was changed.");
        }
        return await rules.RemoveAsync(context.Platform, context.ChannelId, id, context.Actor, time.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            ? CommandReply.Success($"This channel no longer follows rule {id}", "Cases it listed directly stay.", ephemeral: false)
            : CommandReply.Info(null, $"This channel has no rule {id}; nothing was changed. `/watchlist list` shows its rules.");
    }

    private string MutedName(CaseMute mute) =>
        catalog.Find(mute.Case) is { } stored ? $"{stored.Case.Name} ({CaseFormat.Reference(stored.Case)})" : $"case {mute.Case.Id}";

    private static string? Field(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var value) && UntrustedText.CleanLine(value).Trim() is { Length: > 0 } clean ? clean : null;

    /// <summary>/watchlist digest schedule:&lt;off | daily HH:MM TZ | weekly DAY HH:MM TZ&gt;. Off posts what is pending at
    /// once, as one last digest.</summary>
    public async Task<CommandReply> DigestAsync(string? value, CommandContext context, CancellationToken cancellationToken)
    {
        if (!DigestSchedule.TryParse(value, out var schedule, out var error))
        {
            return CommandReply.Info(null, $"{error} Nothing was changed.");
        }
        var now = time.GetUtcNow();
        await digests.SetAsync(context.Platform, context.ChannelId, schedule, context.Actor, now, cancellationToken).ConfigureAwait(false);
        if (schedule is null)
        {
            var last = await digestRunner.FlushAsync(context.Platform, context.ChannelId, cancellationToken).ConfigureAwait(false);
            return CommandReply.Success("Digests are off in this channel", (last.Outcome == DigestQueueOutcome.Queued
                ? $"The {last.Changes} change{(last.Changes == 1 ? "" : "s")} collected since the last digest follow as one last digest. "
                : "Nothing was waiting for a digest. ") + "From now on each change is posted at once.", ephemeral: false);
        }
        digestRunner.Notify();
        return CommandReply.Success($"This channel now gets a digest {Describe(schedule)}",
            $"Changes are collected and posted as one summary then, instead of one alert each; an empty digest is not posted. The next is due {CaseFormat.DateTime(schedule.NextAfter(now))}. "
            + "`/watchlist digest schedule:off` posts what is waiting and goes back to one alert per change.", ephemeral: false);
    }

    private static string Describe(DigestSchedule schedule) =>
        schedule.Day is null
            ? $"every day at {schedule.Time:HH:mm} ({schedule.Zone.Id})"
            : $"every {schedule.Day} at {schedule.Time:HH:mm} ({schedule.Zone.Id})";

    public async Task<CommandReply> StyleAsync(string? value, CommandContext context, CancellationToken cancellationToken)
    {
        if (!CardStyles.TryParse(value, out var style))
        {
            var current = await cards.GetStyleAsync(context.Platform, context.ChannelId, cancellationToken).ConfigureAwait(false);
            return CommandReply.Info(null, $"'{value?.Trim()}' is not a style; nothing was changed. This channel's style is {current.ToWire()}. "
                + "Use `/watchlist style style:card` (one case card per person, kept up to date, each change as a reply) or `/watchlist style style:plain` (one message per change).");
        }
        await cards.SetStyleAsync(context.Platform, context.ChannelId, style, context.Actor, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return CommandReply.Success("This channel's style is now " + style.ToWire(), style == CardStyle.Card
            ? "Each case gets one card here, edited to its latest status; each change is posted as a reply to it."
            : "Each change is posted as its own message.", ephemeral: false);
    }

    /// <summary>One case the user clearly meant, or the reply that lists candidates and asks for the id.</summary>
    private (CaseRecord? Target, CommandReply? Reply) ResolveForChange(string? query, string verb)
    {
        var resolved = CaseResolver.Resolve(catalog, query);
        if (resolved.Reply is not null)
        {
            return (null, resolved.Reply with { Text = resolved.Reply.Text + $"\nNothing was changed. Use `/watchlist {verb} <case id>` to be exact." });
        }
        var hit = resolved.Hit;
        if (hit is not null && hit.Kind is not (MatchKind.Id or MatchKind.Exact or MatchKind.Normalized) && hit.Score < BindConfidence)
        {
            var candidates = new[] { resolved.Case!.Case }.Concat(resolved.Others.Select(o => o.Case));
            var reply = CaseResolver.AmbiguousReply(query!.Trim(), candidates);
            return (null, reply with
            {
                Title = $"Not sure which case “{query.Trim()}” means",
                Text = reply.Text + $"\nNothing was changed. Use `/watchlist {verb} <case id>`.",
            });
        }
        return (resolved.Case!.Case, null);
    }
}
