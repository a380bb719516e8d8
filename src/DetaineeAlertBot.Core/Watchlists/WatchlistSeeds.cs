using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Watchlists;

/// <summary>One configured watchlist entry (Watchlists:N): a channel and the cases it follows, as "source:id" or a bare id,
/// and, when given, the channel's style ("card" or "plain"; unset means card) and digest schedule ("off" or a
/// <see cref="DigestSchedule"/>; unset means off).</summary>
public sealed record WatchlistSeed(string Platform, string ChannelId, IReadOnlyList<string> Cases, string? Style = null, RuleSeed? Rule = null, string? Digest = null);

/// <summary>A configured rule (Watchlists:N:Rule:Country, :Nationality, :HeldBy, :Source, :Status).</summary>
public sealed record RuleSeed(string? Country, string? Nationality, string? HeldBy, string? Source, string? Status)
{
    public bool IsEmpty => Country is null && Nationality is null && HeldBy is null && Source is null && Status is null;
}

/// <summary>WatchlistSeeds are the configured entries with the source names cases can come from (polled, and pushed
/// while push ingest is on). A bare case id is bound to the only source; with several sources it must say which, because
/// an entry that matched an id in any source would also match a source someone creates later and fills with forged
/// cases.</summary>
public sealed record WatchlistSeeds(IReadOnlyList<WatchlistSeed> Seeds, IReadOnlyList<string> KnownSources)
{
    /// <summary>Problems with the entries, each naming the key (<paramref name="section"/>:N:…) and the fix.</summary>
    public IEnumerable<string> Validate(string section)
    {
        for (var i = 0; i < Seeds.Count; i++)
        {
            var seed = Seeds[i];
            var key = $"{section}:{i}";
            if (!Platforms.IsKnown(seed.Platform))
            {
                yield return $"{key}:Platform '{seed.Platform}' is not supported: use \"discord\", \"slack\" or \"console\".";
            }
            if (string.IsNullOrWhiteSpace(seed.ChannelId))
            {
                yield return $"{key}:ChannelId is empty: use the channel's id (Discord: right-click the channel, Copy Channel ID; Slack: the C… id in the channel details).";
            }
            if (seed.Style is { } style && !CardStyles.TryParse(style, out _))
            {
                yield return $"{key}:Style '{style}' is not a style: use \"card\" (one case card per case, edited in place; the default) or \"plain\" (one message per change).";
            }
            if (seed.Digest is { } digest && !DigestSchedule.TryParse(digest, out _, out var digestError))
            {
                yield return $"{key}:Digest: {digestError}";
            }
            if (seed.Rule is { } rule)
            {
                if (seed.Cases.Count > 0) yield return $"{key} has both Cases and Rule: an entry follows listed cases or a rule; split it into two entries.";
                if (rule.IsEmpty) yield return $"{key}:Rule sets no field: give at least one of Rule:Country, Rule:Nationality, Rule:HeldBy, Rule:Source, Rule:Status.";
                WatchRule.ParseStatuses(rule.Status, out var unknown);
                foreach (var word in unknown) yield return $"{key}:Rule:Status '{word}' is not a status: use {CaseStatuses.AllowedValues.Replace("|", ", ", StringComparison.Ordinal)}.";
                continue;
            }
            if (seed.Cases.Count == 0) yield return $"{key}:Cases is empty: list case ids, or source:id where ids clash between sources (or follow a Rule).";
            if (KnownSources.Count == 1) continue;
            foreach (var bare in seed.Cases.Where(c => !CaseKey.TryParse(c, out _)))
            {
                yield return $"{key}:Cases '{bare}' does not say which source it is in, and {KnownSources.Count} sources are configured "
                    + $"({string.Join(", ", KnownSources)}): write it as source:id, e.g. {KnownSources.FirstOrDefault() ?? "push"}:{bare}.";
            }
        }
    }

    /// <summary>The entries as watchlist rows, each bound to one source (valid seeds only: see <see cref="Validate"/>).</summary>
    public IReadOnlyList<WatchlistEntry> ToEntries(DateTimeOffset now) =>
        Seeds.Where(seed => seed.Rule is null).SelectMany(seed => seed.Cases.Select(caseRef =>
        {
            var key = CaseKey.TryParse(caseRef, out var parsed) ? parsed : new CaseKey(KnownSources.Single(), caseRef.Trim());
            return new WatchlistEntry(seed.Platform, seed.ChannelId, key.Source, key.Id, "config", now);
        })).ToArray();

    /// <summary>The rule entries as rules (valid seeds only: see <see cref="Validate"/>).</summary>
    public IReadOnlyList<WatchRule> ToRules(DateTimeOffset now) =>
        Seeds.Where(seed => seed.Rule is { IsEmpty: false }).Select(seed => new WatchRule(0, seed.Platform, seed.ChannelId, seed.Rule!.Country, seed.Rule.Nationality,
            seed.Rule.HeldBy, seed.Rule.Source, WatchRule.ParseStatuses(seed.Rule.Status, out _), "config", now)).ToArray();

    /// <summary>Writes configured rules never stored before for their channel: an admin's unfollow stays.</summary>
    public async Task<int> SeedRulesAsync(IRuleStore rules, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        var seeded = await rules.SeedAsync(ToRules(now), cancellationToken).ConfigureAwait(false);
        if (seeded > 0) logger.LogInformation("Seeded {Count} rule entr{Plural} from configuration", seeded, seeded == 1 ? "y" : "ies");
        return seeded;
    }

    /// <summary>The styles the entries set explicitly, per channel (the last entry of a channel wins).</summary>
    public IReadOnlyList<(string Platform, string ChannelId, CardStyle Style)> ToStyles() =>
        Seeds.Where(seed => seed.Style is not null && CardStyles.TryParse(seed.Style, out _))
            .GroupBy(seed => (seed.Platform, seed.ChannelId))
            .Select(group => (group.Key.Platform, group.Key.ChannelId, CardStyles.TryParse(group.Last().Style, out var style) ? style : CardStyle.Card))
            .ToArray();

    /// <summary>Writes the styles of channels that have none stored yet: an admin's /watchlist style stays.</summary>
    public async Task<int> SeedStylesAsync(ICardStore cards, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        var seeded = await cards.SeedStylesAsync(ToStyles(), now, cancellationToken).ConfigureAwait(false);
        if (seeded > 0) logger.LogInformation("Set the style of {Count} channel(s) from configuration", seeded);
        return seeded;
    }

    /// <summary>The digest schedules the entries set explicitly, per channel (the last entry of a channel wins; null is off).</summary>
    public IReadOnlyList<(string Platform, string ChannelId, DigestSchedule? Schedule)> ToDigests() =>
        Seeds.Where(seed => seed.Digest is not null && DigestSchedule.TryParse(seed.Digest, out _, out _))
            .GroupBy(seed => (seed.Platform, seed.ChannelId))
            .Select(group => (group.Key.Platform, group.Key.ChannelId, DigestSchedule.TryParse(group.Last().Digest, out var schedule, out _) ? schedule : null))
            .ToArray();

    /// <summary>Writes the digest schedules of channels that have none stored yet: an admin's /watchlist digest stays.</summary>
    public async Task<int> SeedDigestsAsync(IDigestStore digests, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        var seeded = await digests.SeedAsync(ToDigests(), now, cancellationToken).ConfigureAwait(false);
        if (seeded > 0) logger.LogInformation("Set the digest schedule of {Count} channel(s) from configuration", seeded);
        return seeded;
    }

    /// <summary>Writes the entries at start. Old source-less rows are bound first, so an admin's earlier removal still
    /// blocks the (now bound) seed; an entry an admin removed is not added back.</summary>
    public async Task<int> SeedAsync(IWatchlistStore store, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        await BindAnySourceEntriesAsync(store, now, logger, cancellationToken).ConfigureAwait(false);
        var seeded = await store.SeedAsync(ToEntries(now), cancellationToken).ConfigureAwait(false);
        if (seeded > 0) logger.LogInformation("Seeded {Count} watchlist entr{Plural} from configuration", seeded, seeded == 1 ? "y" : "ies");
        return seeded;
    }

    /// <summary>Earlier versions stored bare-id seeds as matching any source ('*'); such an entry would also match a source
    /// created later. They are bound to the one configured source now, or left inert (they match nothing) with a warning.</summary>
    private async Task BindAnySourceEntriesAsync(IWatchlistStore store, DateTimeOffset now, ILogger logger, CancellationToken cancellationToken)
    {
        if (KnownSources is [var only])
        {
            var bound = await store.BindAnySourceAsync(only, now, cancellationToken).ConfigureAwait(false);
            if (bound > 0) logger.LogInformation("Bound {Count} watchlist entr{Plural} stored without a source to source {Source}", bound, bound == 1 ? "y" : "ies", only);
            return;
        }

        var unbound = await store.CountAnySourceAsync(cancellationToken).ConfigureAwait(false);
        if (unbound > 0)
        {
            logger.LogWarning("{Count} stored watchlist entr{Plural} name no source and match nothing while {Sources} sources are configured: "
                + "add them again with /watchlist add, or list them as source:id in Watchlists:N:Cases", unbound, unbound == 1 ? "y" : "ies", KnownSources.Count);
        }
    }
}
