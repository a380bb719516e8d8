using DetaineeAlertBot.Core.Digests;

namespace DetaineeAlertBot.Core.Tests.Digests;

public sealed class DigestScheduleTests
{
    private static DigestSchedule Parse(string text)
    {
        Assert.True(DigestSchedule.TryParse(text, out var schedule, out var error), error);
        return schedule!;
    }

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("daily 09:00 Europe/Berlin", "daily 09:00 Europe/Berlin")]
    [InlineData("  Daily 9:05   europe/berlin ", "daily 09:05 Europe/Berlin")]
    [InlineData("weekly mon 08:00 UTC", "weekly mon 08:00 UTC")]
    [InlineData("WEEKLY Friday 17:30 America/New_York", "weekly fri 17:30 America/New_York")]
    [InlineData("daily 14:05 utc", "daily 14:05 UTC")]
    public void Parses_AndWritesItsCanonicalText(string text, string canonical) => Assert.Equal(canonical, Parse(text).ToString());

    [Fact]
    public void Off_IsNoSchedule()
    {
        Assert.True(DigestSchedule.TryParse(" OFF ", out var schedule, out _));
        Assert.Null(schedule);
    }

    [Theory]
    [InlineData("", "No schedule given")]
    [InlineData("hourly", "is not a schedule")]
    [InlineData("daily 25:00 UTC", "not a time of day")]
    [InlineData("daily 9 UTC", "not a time of day")]
    [InlineData("weekly funday 08:00 UTC", "not a day of the week")]
    [InlineData("daily 09:00 Mars/Olympus", "not an IANA time zone")]
    [InlineData("daily 09:00", "is not a schedule")]
    [InlineData("weekly 08:00 UTC", "is not a schedule")]
    public void Refuses_WithAMessageThatSaysWhatIsWrong(string text, string says)
    {
        Assert.False(DigestSchedule.TryParse(text, out var schedule, out var error));
        Assert.Null(schedule);
        Assert.Contains(says, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Today_WhenTheTimeIsStillAhead_ElseTomorrow()
    {
        var daily = Parse("daily 09:00 UTC");
        Assert.Equal(Utc("2026-12-04T09:00:00"), daily.NextAfter(Utc("2026-12-04T08:59:00")));
        Assert.Equal(Utc("2026-12-05T09:00:00"), daily.NextAfter(Utc("2026-12-04T09:00:00")));
    }

    [Fact]
    public void Weekly_ComesOnItsDay()
    {
        // 2026-12-04 is a Friday.
        var weekly = Parse("weekly mon 08:00 UTC");
        Assert.Equal(Utc("2026-12-07T08:00:00"), weekly.NextAfter(Utc("2026-12-04T12:00:00")));
        Assert.Equal(Utc("2026-12-14T08:00:00"), weekly.NextAfter(Utc("2026-12-07T08:00:00")));
        Assert.Equal(Utc("2026-12-04T08:00:00"), Parse("weekly fri 08:00 UTC").NextAfter(Utc("2026-12-04T07:00:00")));
    }

    [Fact]
    public void Daily_KeepsItsWallClockTime_AcrossBothDaylightSavingChanges()
    {
        var berlin = Parse("daily 09:00 Europe/Berlin");
        // Clocks go forward on Sunday 29 March 2026: 09:00 is 08:00 UTC before and 07:00 UTC after.
        Assert.Equal(Utc("2026-03-28T08:00:00"), berlin.NextAfter(Utc("2026-03-27T12:00:00")));
        Assert.Equal(Utc("2026-03-29T07:00:00"), berlin.NextAfter(Utc("2026-03-28T08:00:00")));
        // And back on Sunday 25 October 2026.
        Assert.Equal(Utc("2026-10-25T08:00:00"), berlin.NextAfter(Utc("2026-10-24T07:00:00")));
    }

    [Fact]
    public void ATimeTheClocksSkip_ComesAtTheSameOffsetAfterTheJump_OnceThatDay()
    {
        var night = Parse("daily 02:30 Europe/Berlin");
        // 02:30 does not exist on 29 March 2026 (02:00 → 03:00): it comes at 03:30 CEST = 01:30 UTC.
        var skipped = night.NextAfter(Utc("2026-03-28T12:00:00"));
        Assert.Equal(Utc("2026-03-29T01:30:00"), skipped);
        Assert.Equal(Utc("2026-03-30T00:30:00"), night.NextAfter(skipped));
    }

    [Fact]
    public void ATimeThatHappensTwice_ComesOnce_AtItsFirstOccurrence()
    {
        var night = Parse("daily 02:30 Europe/Berlin");
        // 02:30 happens twice on 25 October 2026 (03:00 CEST → 02:00 CET): 00:30 UTC and 01:30 UTC. Only the first.
        var first = night.NextAfter(Utc("2026-10-24T12:00:00"));
        Assert.Equal(Utc("2026-10-25T00:30:00"), first);
        Assert.Equal(Utc("2026-10-26T01:30:00"), night.NextAfter(first));
        Assert.Null(night.DueAt(first, Utc("2026-10-25T01:45:00")));
    }

    [Fact]
    public void DueAt_IsTheLatestMissedOccurrence_OrNothing()
    {
        var daily = Parse("daily 09:00 UTC");
        Assert.Null(daily.DueAt(Utc("2026-12-04T09:00:00"), Utc("2026-12-05T08:59:59")));
        Assert.Equal(Utc("2026-12-05T09:00:00"), daily.DueAt(Utc("2026-12-04T09:00:00"), Utc("2026-12-05T09:00:00")));
        // Down for three days: one digest, keyed by the latest occurrence.
        Assert.Equal(Utc("2026-12-07T09:00:00"), daily.DueAt(Utc("2026-12-04T09:00:00"), Utc("2026-12-07T10:00:00")));
        // Down for a year: still the latest, without stepping through every day.
        Assert.Equal(Utc("2027-12-04T09:00:00"), daily.DueAt(Utc("2026-12-04T09:00:00"), Utc("2027-12-04T10:00:00")));
    }
}
