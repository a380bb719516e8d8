using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;

namespace DetaineeAlertBot.Core.Tests.Changes;

public class ChangeDetectorTests
{
    private static readonly CaseRecord Stored = new()
    {
        Source = "s", Id = "1", Name = "Amir Amiry", Aliases = ["Amir Amiri"], Status = CaseStatus.Detained, Country = "Afghanistan",
    };

    public static TheoryData<string, CaseRecord?, CaseRecord, ChangeKind> Cases() => new()
    {
        // Nothing stored yet: a first sighting, never an alert.
        { "first seen", null, Stored, ChangeKind.FirstSeen },
        // Identical record.
        { "unchanged", Stored, Stored with { Aliases = ["Amir Amiri"] }, ChangeKind.Unchanged },
        // Status differs: the only kind that alerts.
        { "status", Stored, Stored with { Status = CaseStatus.Released }, ChangeKind.StatusChanged },
        // Status and details differ: still a status change.
        { "status and details", Stored, Stored with { Status = CaseStatus.Charged, Location = "Herat" }, ChangeKind.StatusChanged },
        // Other fields change silently.
        { "location", Stored, Stored with { Location = "Herat" }, ChangeKind.DetailsChanged },
        { "alias added", Stored, Stored with { Aliases = ["Amir Amiri", "A. Amiry"] }, ChangeKind.DetailsChanged },
        { "updatedAt", Stored, Stored with { UpdatedAt = DateTimeOffset.UnixEpoch }, ChangeKind.DetailsChanged },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compare_Table_ReturnsKind(string because, CaseRecord? stored, CaseRecord incoming, ChangeKind expected)
    {
        var kind = ChangeDetector.Compare(stored is null ? null : new StoredCase(stored, DateTimeOffset.UnixEpoch, null), incoming);

        Assert.True(expected == kind, $"{because}: expected {expected}, got {kind}");
    }
}
