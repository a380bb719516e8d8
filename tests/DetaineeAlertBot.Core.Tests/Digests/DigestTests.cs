using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Digests;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Tests.Fakes;
using DetaineeAlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Digests;

public sealed class DigestTests
{
    private const string Channel = "chan-1";
    private static readonly DateTimeOffset Since = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static readonly CaseRecord Amiry = Case("af-1", CaseStatus.Released, "Amir Amiry");
    private static readonly CaseRecord Amini = Case("ir-2", CaseStatus.Charged, "Amir Amini") with { Country = "Iran" };
    private static readonly CaseRecord Newcomer = Case("af-9", CaseStatus.Detained, "New Person");

    private static int _ids;

    private static AlertMessage Change(CaseRecord record, CaseStatus from, CaseStatus to, int minutes, bool isNew = false) =>
        new($"d{Interlocked.Increment(ref _ids)}", "discord", Channel, record with { Status = to }, from, to, Since.AddMinutes(minutes), 1, IsNewCase: isNew);

    [Fact]
    public void GroupsByLatestStatus_EachCaseOnceWithItsPath_ThenNewCases_ThenUnlisted()
    {
        var changes = new[]
        {
            Change(Amiry, CaseStatus.Detained, CaseStatus.Charged, 10),
            Change(Amini, CaseStatus.Detained, CaseStatus.Charged, 20),
            Change(Newcomer, CaseStatus.Detained, CaseStatus.Detained, 25, isNew: true),
            Change(Amiry, CaseStatus.Charged, CaseStatus.OnTrial, 30),
            Change(Amiry, CaseStatus.OnTrial, CaseStatus.Released, 40),
        };
        var gone = new UnlistedCase(Case("af-3", CaseStatus.Detained, "Gone Person"), Since.AddHours(2));

        Assert.True(DigestSchedule.TryParse("daily 09:00 Europe/Berlin", out var schedule, out _));
        var report = DigestText.Render(changes, Since, schedule, [gone])!;

        Assert.Equal("Digest since 2026-12-03 10:00 Europe/Berlin: 4 changes to 2 cases, 1 new case, 1 no longer listed", report.Title);
        Assert.Equal(
        [
            "Charged (1)",
            "• Amir Amini: Detained → Charged (2026-12-03 10:20 Europe/Berlin)",
            "Released (1)",
            "• Amir Amiry: Detained → Charged → On trial → Released (2026-12-03 10:40 Europe/Berlin)",
            "New cases (1)",
            "• New Person, Detained in Afghanistan",
            "Not listed by their source since the last digest (1)",
            "• Gone Person (feed, missing since 2026-12-03 12:00 Europe/Berlin; last status Detained)",
        ], report.Lines);
    }

    [Fact]
    public void NothingToTell_IsNoDigest() => Assert.Null(DigestText.Render([], Since, null, []));

    [Fact]
    public void ManyCases_AreCounted_ButTheLinesStopAtTheCap()
    {
        var changes = Enumerable.Range(0, 10_000)
            .Select(i => Change(Case($"c-{i}", CaseStatus.Detained, $"Person {i}"), CaseStatus.Detained, i % 2 == 0 ? CaseStatus.Released : CaseStatus.Charged, i % 600))
            .ToArray();
        var report = DigestText.Render(changes, Since, null, [])!;
        Assert.StartsWith("Digest since 2026-12-03 09:00 UTC: 10000 changes to 10000 cases", report.Title, StringComparison.Ordinal);
        Assert.Contains("Charged (5000)", report.Lines);
        Assert.Contains("Released (5000)", report.Lines);
        Assert.Equal(DigestText.MaxCaseLines, report.Lines.Count(l => l.StartsWith('•')));
        Assert.Equal($"… and {10_000 - DigestText.MaxCaseLines} more; /case history shows each case.", report.Lines[^1]);
    }

    [Fact]
    public async Task TheRunner_QueuesOneDigestAtTheScheduledInstant_NotBefore_AndNotTwice()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero));
        var store = new InMemoryDigestStore();
        var watchlists = new InMemoryWatchlistStore();
        var catalog = Catalog(null, Stored(Amiry));
        await watchlists.AddAsync(new WatchlistEntry("discord", Channel, "feed", "af-1", "config", time.GetUtcNow()), CancellationToken.None);
        Assert.True(DigestSchedule.TryParse("daily 09:00 UTC", out var schedule, out _));
        await store.SetAsync("discord", Channel, schedule, "lead", time.GetUtcNow(), CancellationToken.None);
        var runner = new DigestRunner(store, watchlists, new InMemoryRuleStore(), catalog, time, NullLogger<DigestRunner>.Instance);

        store.Collect(Change(Amiry, CaseStatus.Detained, CaseStatus.Released, 0));
        time.SetUtcNow(new DateTimeOffset(2026, 12, 4, 8, 59, 59, TimeSpan.Zero));
        var (before, next) = await runner.RunOnceAsync(CancellationToken.None);
        Assert.Equal(0, before);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero), next);

        time.SetUtcNow(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(1, (await runner.RunOnceAsync(CancellationToken.None)).Queued);
        Assert.Equal(0, (await runner.RunOnceAsync(CancellationToken.None)).Queued);
        var digest = Assert.Single(store.Queued);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero), digest.DueAt);
        Assert.Contains("• Amir Amiry: Detained → Released (2026-12-03 09:00 UTC)", digest.Report.Lines);

        // The next day brings nothing new: no digest.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(0, (await runner.RunOnceAsync(CancellationToken.None)).Queued);
        Assert.Single(store.Queued);
    }

    [Fact]
    public async Task TurningDigestsOff_PostsWhatIsPendingAtOnce_AsOneLastDigest()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 4, 8, 0, 0, TimeSpan.Zero));
        var store = new InMemoryDigestStore();
        Assert.True(DigestSchedule.TryParse("weekly mon 08:00 UTC", out var schedule, out _));
        await store.SetAsync("discord", Channel, schedule, "lead", time.GetUtcNow(), CancellationToken.None);
        var runner = new DigestRunner(store, new InMemoryWatchlistStore(), new InMemoryRuleStore(), Catalog(), time, NullLogger<DigestRunner>.Instance);
        store.Collect(Change(Amini, CaseStatus.Detained, CaseStatus.Charged, 0));

        await store.SetAsync("discord", Channel, null, "lead", time.GetUtcNow(), CancellationToken.None);
        var last = await runner.FlushAsync("discord", Channel, CancellationToken.None);

        Assert.Equal(DigestQueueOutcome.Queued, last.Outcome);
        Assert.Equal(1, last.Changes);
        Assert.Contains("Amir Amini: Detained → Charged", Assert.Single(store.Queued).Report.Lines[1], StringComparison.Ordinal);
        Assert.Equal(0, (await runner.RunOnceAsync(CancellationToken.None)).Queued);
    }
}
