using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>Flapping on both stores: the changes up to the threshold alert, the one that crosses it becomes one notice per
/// channel, the rest are held (in the history, not the outbox), and a whole quiet window later one "settled" alert per
/// channel; the window slides.</summary>
public sealed class FlapTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task MoreThanThreeChangesInTenMinutes_ThreeAlerts_OneNoticePerChannel_HeldChanges_ThenOneSettledAlertPerChannel(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var store = new CaseStore(db.Database, FlapPolicy.Default);
        var a = Make.Case("a", CaseStatus.Detained);
        await store.ApplyAsync(Make.Baseline(At, a), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "a", "admin", At), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "D1", Make.Source, "a", "admin", At), None);

        // Detained ⇄ released once a minute, six times.
        var status = CaseStatus.Detained;
        var alerts = new List<int>();
        for (var minute = 1; minute <= 6; minute++)
        {
            var next = status == CaseStatus.Detained ? CaseStatus.Released : CaseStatus.Detained;
            db.AdvanceTo(At.AddMinutes(minute));
            var result = await store.ApplyAsync(Make.Plan(At.AddMinutes(minute), Make.StatusChange(a with { Status = next }, status)), None);
            Assert.Equal(1, result.StatusChanges); // every change is applied and in the history
            alerts.Add(result.AlertsQueued);
            status = next;
        }
        Assert.Equal([2, 2, 2, 2, 0, 0], alerts);
        Assert.Equal(6, (await store.GetHistoryAsync(a.Key, 20, None)).Count(h => h.OldStatus is not null));

        var notices = await PayloadsAsync(db, "flap");
        Assert.Equal(2, notices.Count); // the fourth change, once per channel
        Assert.All(notices, n => Assert.Contains("\"settled\":false,\"statuses\":[\"detained\",\"released\"],\"changes\":4", n, StringComparison.Ordinal));

        // Quiet since minute 6: not settled at minute 15, settled at minute 16, once.
        Assert.Equal(0, await store.SettleFlapsAsync(At.AddMinutes(15), 100, None));
        db.AdvanceTo(At.AddMinutes(16));
        Assert.Equal(2, await store.SettleFlapsAsync(At.AddMinutes(16), 100, None));
        Assert.Equal(0, await store.SettleFlapsAsync(At.AddMinutes(30), 100, None));
        var settled = (await PayloadsAsync(db, "\"settled\":true")).ToList();
        Assert.Equal(2, settled.Count);
        Assert.All(settled, s => Assert.Contains("\"oldStatus\":\"detained\",\"newStatus\":\"detained\"", s, StringComparison.Ordinal));
        Assert.All(settled, s => Assert.Contains("\"changes\":6", s, StringComparison.Ordinal));

        // Settled: the next change is an ordinary alert again.
        db.AdvanceTo(At.AddMinutes(40));
        Assert.Equal(2, (await store.ApplyAsync(Make.Plan(At.AddMinutes(40), Make.StatusChange(a with { Status = CaseStatus.Charged }, CaseStatus.Detained)), None)).AlertsQueued);
        Assert.Equal(4, (await PayloadsAsync(db, "flap")).Count);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheWindowSlides_ChangesSpreadWiderThanItNeverFlap_AndThresholdZeroIsOff(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var store = new CaseStore(db.Database, new FlapPolicy(1, TimeSpan.FromMinutes(10)));
        var off = new CaseStore(db.Database, new FlapPolicy(0, TimeSpan.FromMinutes(10)));
        var a = Make.Case("a", CaseStatus.Detained);
        var b = Make.Case("b", CaseStatus.Detained);
        await store.ApplyAsync(Make.Baseline(At, a, b), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "a", "admin", At), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "b", "admin", At), None);

        // Threshold 1: one change per window is fine; eleven minutes apart, every change alerts.
        var status = CaseStatus.Detained;
        for (var i = 1; i <= 4; i++)
        {
            var next = status == CaseStatus.Detained ? CaseStatus.Released : CaseStatus.Detained;
            db.AdvanceTo(At.AddMinutes(11 * i));
            Assert.Equal(1, (await store.ApplyAsync(Make.Plan(At.AddMinutes(11 * i), Make.StatusChange(a with { Status = next }, status)), None)).AlertsQueued);
            status = next;
        }
        Assert.Empty(await PayloadsAsync(db, "flap"));

        // Off: b changes every minute and every change alerts.
        var bStatus = CaseStatus.Detained;
        for (var i = 1; i <= 4; i++)
        {
            var next = bStatus == CaseStatus.Detained ? CaseStatus.Released : CaseStatus.Detained;
            db.AdvanceTo(At.AddMinutes(50 + i));
            Assert.Equal(1, (await off.ApplyAsync(Make.Plan(At.AddMinutes(50 + i), Make.StatusChange(b with { Status = next }, bStatus)), None)).AlertsQueued);
            bStatus = next;
        }
        Assert.Empty(await PayloadsAsync(db, "flap"));
    }

    private static async Task<IReadOnlyList<string>> PayloadsAsync(TestDatabase db, string containing)
    {
        var rows = new List<string>();
        await using var connection = await db.Database.Dialect.OpenAsync(None);
        await using var command = connection.Command("SELECT payload_json FROM alert_outbox WHERE kind <> 'report' ORDER BY seq");
        await using var reader = await command.ExecuteReaderAsync(None);
        while (await reader.ReadAsync(None))
        {
            var payload = reader.GetString(0);
            if (payload.Contains(containing, StringComparison.Ordinal)) rows.Add(payload);
        }
        return rows;
    }
}
