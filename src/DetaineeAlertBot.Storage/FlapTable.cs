using System.Data.Common;
using System.Globalization;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>One status change's fate under the <see cref="FlapPolicy"/>: alert it, turn it into the notice, or hold it.</summary>
internal sealed record FlapDecision(FlapVerdict Verdict, AlertFlap? Notice = null);

/// <summary>A flapping case whose window has passed quietly: its "settled" alert is due.</summary>
internal sealed record SettledFlap(CaseKey Case, DateTimeOffset Since, IReadOnlyList<CaseStatus> Statuses, int Changes);

/// <summary>FlapTable is the case_flaps table, read and written inside the store's transactions: deciding each status
/// change of a sync (the history as it is before this sync's rows are written), and finding the flaps that settled.</summary>
internal static class FlapTable
{
    /// <summary>The fate of each applied status change, by case id; a change not listed is an ordinary alert. Writes the
    /// flap rows: new ones for the changes that cross the threshold, a later last change for the held ones.</summary>
    public static async Task<Dictionary<string, FlapDecision>> DecideAsync(SqlDialect dialect, FlapPolicy policy, string source,
        IReadOnlyList<(string CaseId, CaseStatus From, CaseStatus To)> changes, DateTimeOffset observedAt,
        DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var decisions = new Dictionary<string, FlapDecision>(StringComparer.Ordinal);
        if (policy.IsOff || changes.Count == 0) return decisions;
        var ids = changes.Select(c => c.CaseId).Distinct(StringComparer.Ordinal).ToArray();
        var now = dialect.Timestamp(observedAt);

        // Already flapping: the change is held, and the flap's quiet window starts again.
        var flapping = new Dictionary<string, (List<CaseStatus> Statuses, int Changes)>(StringComparer.Ordinal);
        await using (var command = connection.Command(
                             $"SELECT case_id, statuses, changes FROM case_flaps WHERE source = @source AND {dialect.InList("case_id", "@ids")}", transaction)
                         .With("@source", source).With("@ids", dialect.ListValue(ids)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                flapping[reader.GetString(0)] = (ParseStatuses(reader.GetString(1)), Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture));
        }
        foreach (var (caseId, _, to) in changes.Where(c => flapping.ContainsKey(c.CaseId)))
        {
            var (statuses, count) = flapping[caseId];
            if (!statuses.Contains(to)) statuses.Add(to);
            decisions[caseId] = new FlapDecision(FlapVerdict.Hold);
            await using var update = connection.Command(
                    "UPDATE case_flaps SET last_change_at = @now, changes = @changes, statuses = @statuses WHERE source = @source AND case_id = @case_id", transaction)
                .With("@now", now).With("@changes", count + 1).With("@statuses", WriteStatuses(statuses)).With("@source", source).With("@case_id", caseId);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // The others: this change and those already in the sliding window (first sightings are not changes).
        var counting = ids.Where(id => !flapping.ContainsKey(id)).ToArray();
        if (counting.Length == 0) return decisions;
        var window = new Dictionary<string, List<(CaseStatus From, CaseStatus To, DateTimeOffset At)>>(StringComparer.Ordinal);
        await using (var command = connection.Command(
                             "SELECT case_id, old_status, new_status, observed_at FROM status_history " +
                             $"WHERE source = @source AND {dialect.InList("case_id", "@ids")} AND old_status IS NOT NULL AND observed_at > @from ORDER BY case_id, id", transaction)
                         .With("@source", source).With("@ids", dialect.ListValue(counting)).With("@from", dialect.Timestamp(observedAt - policy.Window)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var caseId = reader.GetString(0);
                if (!window.TryGetValue(caseId, out var list)) window[caseId] = list = [];
                list.Add((CaseStore.ParseStatus(reader.GetString(1)), CaseStore.ParseStatus(reader.GetString(2)), dialect.ReadTimestamp(reader, 3)));
            }
        }
        foreach (var (caseId, from, to) in changes.Where(c => !flapping.ContainsKey(c.CaseId)))
        {
            var recent = window.GetValueOrDefault(caseId) ?? [];
            if (!policy.IsFlapping(recent.Count + 1)) continue;
            var statuses = new List<CaseStatus>();
            foreach (var status in recent.SelectMany(r => new[] { r.From, r.To }).Append(from).Append(to))
            {
                if (!statuses.Contains(status)) statuses.Add(status);
            }
            var since = recent.Count > 0 ? recent[0].At : observedAt;
            var notice = new AlertFlap(Settled: false, statuses, recent.Count + 1, since);
            decisions[caseId] = new FlapDecision(FlapVerdict.Notice, notice);
            await using var insert = connection.Command(
                    "INSERT INTO case_flaps (source, case_id, since, last_change_at, statuses, changes) VALUES (@source, @case_id, @since, @now, @statuses, @changes)", transaction)
                .With("@source", source).With("@case_id", caseId).With("@since", dialect.Timestamp(since)).With("@now", now)
                .With("@statuses", WriteStatuses(statuses)).With("@changes", notice.Changes);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return decisions;
    }

    /// <summary>Removes and returns up to <paramref name="max"/> flaps with no change since <paramref name="quietSince"/>
    /// (locked until the caller's transaction commits the "settled" alerts they become).</summary>
    public static async Task<IReadOnlyList<SettledFlap>> TakeSettledAsync(SqlDialect dialect, DateTimeOffset quietSince, int max,
        DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var settled = new List<SettledFlap>();
        await using (var command = connection.Command(
                             $"SELECT source, case_id, since, statuses, changes FROM case_flaps WHERE last_change_at <= @quiet ORDER BY last_change_at LIMIT @max{dialect.ForUpdateSkipLocked}",
                             transaction)
                         .With("@quiet", dialect.Timestamp(quietSince)).With("@max", Math.Max(1, max)))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                settled.Add(new SettledFlap(new CaseKey(reader.GetString(0), reader.GetString(1)), dialect.ReadTimestamp(reader, 2), ParseStatuses(reader.GetString(3)),
                    Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture)));
            }
        }
        foreach (var flap in settled)
        {
            await using var delete = connection.Command("DELETE FROM case_flaps WHERE source = @source AND case_id = @case_id", transaction)
                .With("@source", flap.Case.Source).With("@case_id", flap.Case.Id);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        return settled;
    }

    private static List<CaseStatus> ParseStatuses(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(CaseStore.ParseStatus).ToList();

    private static string WriteStatuses(IEnumerable<CaseStatus> statuses) => string.Join(',', statuses.Select(s => s.ToWire()));
}
