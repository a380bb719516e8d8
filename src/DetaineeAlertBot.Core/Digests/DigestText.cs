using System.Globalization;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using NodaTime;

namespace DetaineeAlertBot.Core.Digests;

/// <summary>A case the channel follows that its source stopped listing in the digest's period.</summary>
public sealed record UnlistedCase(CaseRecord Case, DateTimeOffset NotSeenSince);

/// <summary>
/// DigestText writes one digest: the period's changes grouped by each case's latest status, each case once with its path
/// ("Detained → Charged → On trial"), then the new cases, then the cases no longer listed by their source. The counts
/// are always complete; the lines stop at <see cref="MaxCaseLines"/> so the message fits one Discord embed or Slack
/// message, and say how many more there are.
/// </summary>
public static class DigestText
{
    /// <summary>How many case lines a digest shows (the counts cover all of them).</summary>
    public const int MaxCaseLines = 40;

    /// <param name="changes">The collected changes, oldest first.</param>
    /// <param name="since">When the period began.</param>
    /// <param name="schedule">The channel's schedule, for times in its zone; null for the last digest after "off" (UTC).</param>
    /// <returns>Null when there is nothing to tell: no empty digest is posted.</returns>
    public static AdminReport? Render(IReadOnlyList<AlertMessage> changes, DateTimeOffset since, DigestSchedule? schedule, IReadOnlyList<UnlistedCase> unlisted)
    {
        if (changes.Count == 0 && unlisted.Count == 0) return null;
        var zone = schedule?.Zone ?? DateTimeZone.Utc;
        var perCase = changes.GroupBy(c => c.Case.Key).Select(g => new CasePath(g.ToList())).ToList();
        var fresh = perCase.Where(p => p.IsNew).OrderBy(p => p.Latest.Case.Name, StringComparer.CurrentCulture).ToList();
        var changed = perCase.Where(p => !p.IsNew).ToList();
        var statusChanges = changes.Count(c => !c.IsNewCase);
        var changedCases = changed.Count + fresh.Count(f => f.Steps.Count > 1);

        var title = $"Digest since {When(since, zone)}: " + string.Join(", ", new[]
        {
            statusChanges > 0 ? $"{statusChanges} change{Plural(statusChanges)} to {changedCases} case{Plural(changedCases)}" : null,
            fresh.Count > 0 ? $"{fresh.Count} new case{Plural(fresh.Count)}" : null,
            unlisted.Count > 0 ? $"{unlisted.Count} no longer listed" : null,
        }.Where(part => part is not null));

        var lines = new List<string>();
        var shown = 0;
        // Each status's group, in the order of the status list (detained … released, deceased), latest change first within it.
        foreach (var group in changed.GroupBy(p => p.Latest.NewStatus).OrderBy(g => g.Key))
        {
            lines.Add($"{group.Key.ToDisplay()} ({group.Count()})");
            foreach (var path in group.OrderByDescending(p => p.Latest.ObservedAt))
            {
                if (shown++ < MaxCaseLines) lines.Add($"• {path.Latest.Case.Name}: {path.Describe()} ({When(path.Latest.ObservedAt, zone)})");
            }
        }
        if (fresh.Count > 0)
        {
            lines.Add($"New cases ({fresh.Count})");
            foreach (var path in fresh)
            {
                if (shown++ >= MaxCaseLines) continue;
                var c = path.Latest.Case;
                var where = string.IsNullOrWhiteSpace(c.Country) ? "" : $" in {c.Country}";
                lines.Add($"• {c.Name}, {path.First.NewStatus.ToDisplay()}{where}" + (path.Steps.Count > 1 ? $", since then {path.Describe()}" : ""));
            }
        }
        if (unlisted.Count > 0)
        {
            lines.Add($"Not listed by their source since the last digest ({unlisted.Count})");
            foreach (var gone in unlisted.OrderBy(u => u.NotSeenSince))
            {
                if (shown++ < MaxCaseLines)
                    lines.Add($"• {gone.Case.Name} ({gone.Case.Source}, missing since {When(gone.NotSeenSince, zone)}; last status {gone.Case.Status.ToDisplay()})");
            }
        }
        if (shown > MaxCaseLines) lines.Add($"… and {shown - MaxCaseLines} more; /case history shows each case.");
        return new AdminReport(title, lines);
    }

    private static string When(DateTimeOffset at, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(at).InZone(zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " " + zone.Id;

    private static string Plural(int count) => count == 1 ? "" : "s";

    /// <summary>One case's collected rows, oldest first.</summary>
    private sealed class CasePath(List<AlertMessage> steps)
    {
        public List<AlertMessage> Steps { get; } = steps;

        public AlertMessage First => Steps[0];

        public AlertMessage Latest => Steps[^1];

        public bool IsNew => First.IsNewCase;

        /// <summary>"Detained → Charged → On trial": where the case stood before the period, then each new status.</summary>
        public string Describe()
        {
            var changes = Steps.Where(s => !s.IsNewCase).ToList();
            var path = (IsNew ? [First.NewStatus] : new[] { changes[0].OldStatus }).Concat(changes.Select(c => c.NewStatus));
            // A flapping case's held changes are not rows here: its path shows the notice and the settled status.
            var text = string.Join(" → ", path.Select(s => s.ToDisplay()));
            return Steps.Any(s => s.Flap is not null) ? text + " (changed repeatedly)" : text;
        }
    }
}
