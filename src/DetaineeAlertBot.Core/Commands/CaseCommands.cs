using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;

namespace DetaineeAlertBot.Core.Commands;

/// <summary>CaseCommands answers /case lookup and /case history (product.md, "What a lookup looks like").</summary>
public sealed class CaseCommands(CaseCatalog catalog, ICaseStore store)
{
    public const int HistoryLimit = 20;

    public async Task<CommandReply> LookupAsync(string? query, CancellationToken cancellationToken)
    {
        var resolved = CaseResolver.Resolve(catalog, query);
        if (resolved.Reply is not null) return resolved.Reply;

        var record = resolved.Case!.Case;
        var stored = resolved.Case;
        var title = new StringBuilder(record.Name);
        if (record.Aliases.Count > 0) title.Append($" (also: {string.Join(", ", record.Aliases.Take(3))})");
        title.Append($" — {record.Status.ToDisplay()}");
        if (record.StatusSince is { } since) title.Append($" since {CaseFormat.Date(since)}");

        var lines = new List<string>();
        var facts = new List<string>();
        if (record.Country is { } country) facts.Add(country);
        if (record.HeldBy is { } heldBy)
        {
            // "held by Taliban from 2024-12-01": when the detention began, from the status history.
            var heldSince = await HeldSinceAsync(record.Key, cancellationToken).ConfigureAwait(false);
            facts.Add(heldSince is { } from ? $"held by {heldBy} from {CaseFormat.Date(from)}" : $"held by {heldBy}");
        }
        if (record.Location is { } location) facts.Add(location);
        if (record.Nationality is { } nationality) facts.Add($"{nationality} national");
        if (facts.Count > 0) lines.Add(string.Join(" · ", facts));
        if (record.Summary is { } summary) lines.Add(CaseFormat.Truncate(summary, 500));

        var update = record.UpdatedAt is { } updated ? $"Last update {CaseFormat.Date(updated)} · " : "";
        lines.Add($"{update}source: {record.Source} · case {record.Id}");
        if (record.SourceUrl is { } url) lines.Add(url);
        if (stored.NotSeenSince is { } notSeen) lines.Add($"Not listed by {record.Source} since {CaseFormat.DateTime(notSeen)}; the status shown is the last one it gave.");
        if (resolved.Hit is { Kind: not (MatchKind.Exact or MatchKind.Id) } hit && hit.Explanation.Length > 0) lines.Add($"Matched: {hit.Explanation}");
        if (resolved.Others.Count > 0)
        {
            lines.Add("Other matches: " + string.Join(", ", resolved.Others.Select(o => CaseFormat.NameWithStatus(o.Case))));
        }
        return CommandReply.Info(title.ToString(), string.Join('\n', lines));
    }

    /// <summary>The detention date from the store; a lookup answers from memory, so it still answers (without the
    /// date) while the database is unreachable.</summary>
    private async Task<DateOnly?> HeldSinceAsync(CaseKey key, CancellationToken cancellationToken)
    {
        try
        {
            return HeldSince(await store.GetHistoryAsync(key, HistoryLimit, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Since when the person was first held in the (newest first) history: the date of the earliest
    /// "detained" entry (its statusSince, else when we saw it); null when the history never says detained.</summary>
    internal static DateOnly? HeldSince(IReadOnlyList<StatusHistoryEntry> newestFirst)
    {
        DateOnly? since = null;
        foreach (var entry in newestFirst)
        {
            if (entry.NewStatus == CaseStatus.Detained) since = entry.StatusSince ?? DateOnly.FromDateTime(entry.ObservedAt.UtcDateTime);
        }
        return since;
    }

    public async Task<CommandReply> HistoryAsync(string? query, CancellationToken cancellationToken)
    {
        var resolved = CaseResolver.Resolve(catalog, query);
        if (resolved.Reply is not null) return resolved.Reply;

        var record = resolved.Case!.Case;
        var history = await store.GetHistoryAsync(record.Key, HistoryLimit, cancellationToken).ConfigureAwait(false);
        var lines = new List<string>();
        foreach (var entry in history)
        {
            var since = entry.StatusSince is { } date ? $"{CaseFormat.Date(date)} " : "";
            var change = entry.OldStatus is { } old
                ? $"{old.ToDisplay()} -> {entry.NewStatus.ToDisplay()}"
                : $"{entry.NewStatus.ToDisplay()} (first seen)";
            lines.Add(entry.Manual is { } manual
                ? $"• {since}{change} — {CaseFormat.DateTime(entry.ObservedAt)}, {SetBy(manual)}"
                : $"• {since}{change} — observed {CaseFormat.DateTime(entry.ObservedAt)}, source {entry.Source}");
        }
        if (lines.Count == 0) lines.Add("No status history is stored for this case yet.");
        if (history.Count == HistoryLimit) lines.Add($"(only the latest {HistoryLimit} entries are shown)");
        if (resolved.Hit is { Kind: not (MatchKind.Exact or MatchKind.Id) } hit && hit.Explanation.Length > 0) lines.Add($"Matched: {hit.Explanation}");
        return CommandReply.Info($"History of {record.Name} — {CaseFormat.Reference(record)}, newest first", string.Join('\n', lines));
    }

    /// <summary>"set by Dana (U1) on Slack: freed this morning https://…": a change made by hand, in the history.</summary>
    internal static string SetBy(ManualEdit manual)
    {
        var platform = manual.Platform switch { "slack" => "Slack", "discord" => "Discord", var other => other };
        var text = $"set by {manual.SetBy} on {platform}";
        if (!string.IsNullOrWhiteSpace(manual.Note)) text += $": {manual.Note}";
        if (!string.IsNullOrWhiteSpace(manual.Link)) text += $" {manual.Link}";
        return text;
    }
}

/// <summary>Turns a query into one case, or into the reply that explains why not (empty, no match, ambiguous).</summary>
internal static class CaseResolver
{
    public sealed record Resolution(StoredCase? Case, SearchHit? Hit, IReadOnlyList<StoredCase> Others, CommandReply? Reply);

    public static Resolution Resolve(CaseCatalog catalog, string? query)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return Refuse(CommandReply.Info(null, "Which case? Give a name or a case id, e.g. `/case lookup Amir Amiry`."));
        }
        query = query.Trim();

        // An exact key or id never needs the search: autocomplete sends "source:id".
        if (CaseKey.TryParse(query, out var key) && catalog.Find(key) is { } byKey) return Found(byKey, null, []);
        var byId = catalog.FindById(query);
        if (byId.Count == 1) return Found(byId[0], null, []);
        if (byId.Count > 1) return Refuse(AmbiguousReply(query, byId.Select(c => c.Case)));

        var result = catalog.Search.Search(query, 5);
        switch (result.Outcome)
        {
            case SearchOutcome.Match when catalog.Find(result.Hits[0].Key) is { } best:
                var others = result.Hits.Skip(1).Select(h => catalog.Find(h.Key)).OfType<StoredCase>().Take(3).ToArray();
                return Found(best, result.Hits[0], others);
            case SearchOutcome.Ambiguous:
                return Refuse(AmbiguousReply(query, result.Hits.Select(h => catalog.Find(h.Key)?.Case).OfType<CaseRecord>()));
            default:
                return Refuse(NoMatchReply(query, result.Nearest.Select(h => catalog.Find(h.Key)?.Case).OfType<CaseRecord>()));
        }
    }

    public static CommandReply AmbiguousReply(string query, IEnumerable<CaseRecord> candidates)
    {
        var lines = candidates.Take(8).Select(c => $"• {CaseFormat.NameWithStatus(c)} — id {c.Source}:{c.Id}");
        return CommandReply.Info(
            $"Several cases match “{query}”",
            string.Join('\n', lines) + "\nRun the command again with the case id (e.g. the `source:id` shown) to pick one.");
    }

    public static CommandReply NoMatchReply(string query, IEnumerable<CaseRecord> nearest)
    {
        var names = nearest.Take(3).Select(CaseFormat.NameWithStatus).ToArray();
        var text = names.Length == 0
            ? "No tracked case is close to that name."
            : "Nearest names: " + string.Join("; ", names) + ".";
        return CommandReply.Info($"No case matches “{query}”", text);
    }

    private static Resolution Found(StoredCase stored, SearchHit? hit, IReadOnlyList<StoredCase> others) => new(stored, hit, others, null);

    private static Resolution Refuse(CommandReply reply) => new(null, null, [], reply);
}
