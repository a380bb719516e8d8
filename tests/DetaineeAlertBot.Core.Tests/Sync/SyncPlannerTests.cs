using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Sync;

public class SyncPlannerTests
{
    [Fact]
    public void Plan_UnknownSource_IsBaselineWithEveryCaseFirstSeen()
    {
        var catalog = Catalog();

        var plan = SyncPlanner.Plan("feed", [Case("1"), Case("2")], new HashSet<string>(), catalog, Now);

        Assert.True(plan.IsBaseline);
        Assert.All(plan.Upserts, u => Assert.Equal(ChangeKind.FirstSeen, u.Kind));
        Assert.Equal(2, plan.Upserts.Count);
    }

    [Fact]
    public void Plan_StatusChange_CarriesPreviousStatusAndSince()
    {
        var stored = Case("1") with { StatusSince = new DateOnly(2024, 12, 1) };
        var catalog = Catalog(null, Stored(stored));

        var plan = SyncPlanner.Plan("feed", [stored with { Status = CaseStatus.Released }], new HashSet<string>(), catalog, Now);

        Assert.False(plan.IsBaseline);
        var upsert = Assert.Single(plan.Upserts);
        Assert.Equal(ChangeKind.StatusChanged, upsert.Kind);
        Assert.Equal(CaseStatus.Detained, upsert.PreviousStatus);
        Assert.Equal(new DateOnly(2024, 12, 1), upsert.PreviousStatusSince);
    }

    [Fact]
    public void Plan_UnchangedDocument_PlansNothing()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")));

        var plan = SyncPlanner.Plan("feed", [Case("1"), Case("2")], new HashSet<string>(), catalog, Now);

        Assert.Empty(plan.Upserts);
        Assert.Empty(plan.NotSeen);
        Assert.Empty(plan.SeenAgain);
    }

    [Fact]
    public void Plan_CaseMissingFromDocument_IsMarkedNotSeenNotReleased()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")));

        var plan = SyncPlanner.Plan("feed", [Case("1")], new HashSet<string>(), catalog, Now);

        Assert.Empty(plan.Upserts);
        Assert.Equal([new CaseKey("feed", "2")], plan.NotSeen);
    }

    [Fact]
    public void Plan_RejectedRecordOfKnownCase_IsNotMarkedNotSeen()
    {
        // The record was listed, just invalid this time: it must not look like the case vanished.
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")));

        var plan = SyncPlanner.Plan("feed", [Case("1")], new HashSet<string> { "2" }, catalog, Now);

        Assert.Empty(plan.NotSeen);
    }

    [Fact]
    public void Plan_CaseListedAgain_IsSeenAgain()
    {
        var catalog = Catalog(null, Stored(Case("1"), notSeenSince: Now.AddDays(-2)));

        var plan = SyncPlanner.Plan("feed", [Case("1")], new HashSet<string>(), catalog, Now);

        Assert.Equal([new CaseKey("feed", "1")], plan.SeenAgain);
    }

    [Fact]
    public void Plan_OtherSourcesCases_AreUntouched()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("9", source: "other")));

        var plan = SyncPlanner.Plan("feed", [Case("1")], new HashSet<string>(), catalog, Now);

        Assert.Empty(plan.NotSeen);
    }

    [Fact]
    public void CatalogApply_NewAndRenamedCases_ReachTheSearchIndex()
    {
        var search = new Mock<ICaseSearch>();
        var catalog = Catalog(search, Stored(Case("1", name: "Old Name")), Stored(Case("2")));
        var plan = new SyncPlan("feed", Now, false,
            [
                new CaseUpsert(Case("1", name: "New Name"), ChangeKind.DetailsChanged, CaseStatus.Detained),
                new CaseUpsert(Case("2", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained),
                new CaseUpsert(Case("3"), ChangeKind.FirstSeen, null),
            ],
            [], []);

        catalog.Apply(plan);

        // Only name changes and new cases are re-indexed; a status change is not a name change.
        search.Verify(s => s.Upsert(It.Is<IEnumerable<CaseRecord>>(c => c.Select(r => r.Id).SequenceEqual(new[] { "1", "3" }))), Times.Once);
        Assert.Equal(CaseStatus.Released, catalog.Find(new CaseKey("feed", "2"))!.Case.Status);
        Assert.Equal(3, catalog.Count);
    }
}
