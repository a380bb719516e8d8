using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Alerts;

public class AlertTextTests
{
    private static AlertMessage ProductExample() => new(
        "d0000000000000000000000a", "console", "c1",
        new CaseRecord
        {
            Source = "state-dept-feed", Id = "af-2024-0012", Name = "Amir Amiry", Status = CaseStatus.Released,
            Country = "Afghanistan", HeldBy = "Taliban", Nationality = "US", Location = "Kabul",
            StatusSince = new DateOnly(2024, 12, 1),
        },
        CaseStatus.Detained, CaseStatus.Released, new DateTimeOffset(2026, 11, 22, 10, 4, 0, TimeSpan.Zero), 1,
        OldStatusSince: new DateOnly(2024, 12, 1));

    [Fact]
    public void Texts_ProductExample_MatchProductDoc()
    {
        var alert = ProductExample();

        Assert.Equal("Amir Amiry — Released", AlertText.Title(alert));
        Assert.Equal("Status changed: Detained -> Released", AlertText.StatusLine(alert));
        Assert.Equal("Amir Amiry: detained -> released (Afghanistan)", AlertText.Fallback(alert));
        Assert.Equal("case af-2024-0012 · source state-dept-feed · observed 2026-11-22 10:04 UTC", AlertText.Footer(alert));
        Assert.Equal(
            [("Country", "Afghanistan"), ("Held by", "Taliban"), ("Nationality", "US"), ("Detained since", "2024-12-01 (about 2 years)"), ("Location", "Kabul")],
            AlertText.Facts(alert));
    }

    [Fact]
    public void Facts_NewStatusWithItsOwnDate_ShowsBothSinceLines()
    {
        var alert = ProductExample() with { Case = ProductExample().Case with { StatusSince = new DateOnly(2026, 11, 22) } };

        var facts = AlertText.Facts(alert);

        Assert.Contains(("Detained since", "2024-12-01 (about 2 years)"), facts);
        Assert.Contains(("Released since", "2026-11-22 (today)"), facts);
    }

    [Theory]
    [InlineData(0, "today")]
    [InlineData(1, "1 day")]
    [InlineData(30, "30 days")]
    [InlineData(335, "about 11 months")]
    [InlineData(400, "about 13 months")]
    [InlineData(1100, "about 3 years")]
    [InlineData(-3, null)]
    public void Duration_Days_ReadsNaturally(int days, string? expected)
    {
        var to = new DateOnly(2026, 11, 22);

        Assert.Equal(expected, AlertText.Duration(to.AddDays(-days), to));
    }

    [Theory]
    [InlineData(CaseStatus.Detained, 0xD93025)]
    [InlineData(CaseStatus.Missing, 0xD93025)]
    [InlineData(CaseStatus.Deceased, 0xD93025)]
    [InlineData(CaseStatus.OnTrial, 0xF29900)]
    [InlineData(CaseStatus.Transferred, 0xF29900)]
    [InlineData(CaseStatus.Released, 0x188038)]
    [InlineData(CaseStatus.Acquitted, 0x188038)]
    [InlineData(CaseStatus.Unknown, 0x80868B)]
    public void Color_ByMeaning_RedAmberGreenGrey(CaseStatus status, int rgb) => Assert.Equal(rgb, AlertText.Color(status));

    [Fact]
    public void PlainText_ContainsEveryPart()
    {
        var text = AlertText.PlainText(ProductExample() with { Case = ProductExample().Case with { SourceUrl = "https://example.org/x" } });

        Assert.Contains("Amir Amiry — Released", text);
        Assert.Contains("Status changed: Detained -> Released", text);
        Assert.Contains("Source: https://example.org/x", text);
        Assert.EndsWith("observed 2026-11-22 10:04 UTC", text);
        _ = Now;
    }

    [Fact]
    public void AFlappingCase_ReadsAsItsNotice_ThenAsSettled_InEveryText()
    {
        var since = new DateTimeOffset(2026, 11, 22, 10, 2, 0, TimeSpan.Zero);
        var notice = ProductExample() with { Flap = new AlertFlap(false, [CaseStatus.Detained, CaseStatus.Released], 4, since) };
        var settled = ProductExample() with { Flap = new AlertFlap(true, [CaseStatus.Detained, CaseStatus.Released], 7, since) };

        Assert.Equal("Status changing repeatedly: Detained ⇄ Released (4 changes since 2026-11-22 10:02 UTC); further changes are recorded, not posted, until it settles",
            AlertText.StatusLine(notice));
        Assert.Equal("Amir Amiry: Settled on Released after 7 changes since 2026-11-22 10:02 UTC", AlertText.Fallback(settled));
        Assert.StartsWith("Amir Amiry: Status changing repeatedly: Detained ⇄ Released", Core.Cards.CardText.Reply(notice), StringComparison.Ordinal);
        Assert.Contains("Settled on Released after 7 changes", AlertText.PlainText(settled), StringComparison.Ordinal);
    }
}
