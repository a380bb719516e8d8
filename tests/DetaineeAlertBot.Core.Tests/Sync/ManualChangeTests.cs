using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Sync.Stages;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Core.Tests.Sync;

/// <summary>A status set by hand, then feed documents: the feed wins again only when it changes its own value.</summary>
public sealed class ManualChangeTests
{
    private static readonly ManualEdit ByDana = new("Dana (U1)", "slack", "freed this morning", "https://news.example.org/a");
    private readonly FakeTimeProvider _time = new(TestData.Now);

    private static CaseCatalog CatalogWith(StoredCase stored)
    {
        var catalog = TestData.Catalog(null, stored);
        catalog.Apply(new SyncPlan("feed", TestData.Now, false, [], [], [])); // the source is baselined
        return catalog;
    }

    private async Task<SyncPlan> ManualPlanAsync(CaseCatalog catalog, CaseRecord desired, bool isNew = false)
    {
        var context = new SyncContext(desired.Source, ReadOnlyMemory<byte>.Empty) { Manual = new ManualChange(desired, ByDana, isNew) };
        await new ManualPlanStage(catalog, _time).RunAsync(context, CancellationToken.None);
        Assert.Null(context.Report);
        return context.Plan!;
    }

    [Fact]
    public async Task AManualStatus_RemembersWhatTheFeedSaid_AndCarriesWhoSetIt()
    {
        var detained = TestData.Case("a", CaseStatus.Detained);
        var catalog = CatalogWith(new StoredCase(detained, TestData.Now, null));

        var plan = await ManualPlanAsync(catalog, detained with { Status = CaseStatus.Released });

        var upsert = Assert.Single(plan.Upserts);
        Assert.Equal((ChangeKind.StatusChanged, CaseStatus.Detained, CaseStatus.Detained), (upsert.Kind, upsert.PreviousStatus, upsert.FeedStatus));
        Assert.Equal(ByDana, upsert.Manual);
        Assert.False(plan.IsBaseline);
    }

    [Fact]
    public void TheFeedStillSayingItsOldValue_KeepsTheManualStatus_ButItsOtherFieldsApply()
    {
        var released = TestData.Case("a", CaseStatus.Released);
        var catalog = CatalogWith(new StoredCase(released, TestData.Now, null, FeedStatus: CaseStatus.Detained));

        var same = SyncPlanner.Plan("feed", [TestData.Case("a", CaseStatus.Detained)], new HashSet<string>(), catalog, TestData.Now);
        var moved = SyncPlanner.Plan("feed", [TestData.Case("a", CaseStatus.Detained) with { Location = "Kabul" }], new HashSet<string>(), catalog, TestData.Now);

        Assert.Empty(same.Upserts);
        var details = Assert.Single(moved.Upserts);
        Assert.Equal((ChangeKind.DetailsChanged, CaseStatus.Released, CaseStatus.Detained), (details.Kind, details.Case.Status, details.FeedStatus));
    }

    [Fact]
    public void TheFeedChangingItsOwnValue_Wins_AndEndsTheManualStatus()
    {
        var catalog = CatalogWith(new StoredCase(TestData.Case("a", CaseStatus.Released), TestData.Now, null, FeedStatus: CaseStatus.Detained));

        var plan = SyncPlanner.Plan("feed", [TestData.Case("a", CaseStatus.Charged)], new HashSet<string>(), catalog, TestData.Now);

        var upsert = Assert.Single(plan.Upserts);
        Assert.Equal((ChangeKind.StatusChanged, CaseStatus.Released, CaseStatus.Charged), (upsert.Kind, upsert.PreviousStatus, upsert.Case.Status));
        Assert.Null(upsert.FeedStatus);
        Assert.True(upsert.EndsManualStatus);
    }

    [Fact]
    public void TheFeedCatchingUpWithTheManualStatus_EndsItWithoutAnAlert()
    {
        var catalog = CatalogWith(new StoredCase(TestData.Case("a", CaseStatus.Released), TestData.Now, null, FeedStatus: CaseStatus.Detained));

        var plan = SyncPlanner.Plan("feed", [TestData.Case("a", CaseStatus.Released)], new HashSet<string>(), catalog, TestData.Now);

        var upsert = Assert.Single(plan.Upserts);
        Assert.Equal(ChangeKind.DetailsChanged, upsert.Kind);
        Assert.True(upsert.EndsManualStatus);
    }

    [Fact]
    public async Task SettingByHandWhatTheFeedSays_EndsTheManualStatus()
    {
        var catalog = CatalogWith(new StoredCase(TestData.Case("a", CaseStatus.Released), TestData.Now, null, FeedStatus: CaseStatus.Detained));

        var plan = await ManualPlanAsync(catalog, TestData.Case("a", CaseStatus.Detained));

        var upsert = Assert.Single(plan.Upserts);
        Assert.Equal(ChangeKind.StatusChanged, upsert.Kind);
        Assert.Null(upsert.FeedStatus);
        Assert.True(upsert.EndsManualStatus);
    }

    [Fact]
    public async Task ANewCaseByHand_IsAFirstSightingInTheManualSource_AndAKnownOneIsRefused()
    {
        var catalog = CatalogWith(new StoredCase(TestData.Case("a", CaseStatus.Detained), TestData.Now, null));
        var added = TestData.Case("m-1", CaseStatus.Detained, source: ManualEdit.Source);

        var plan = await ManualPlanAsync(catalog, added, isNew: true);
        var context = new SyncContext("feed", ReadOnlyMemory<byte>.Empty) { Manual = new ManualChange(TestData.Case("a", CaseStatus.Released), ByDana, IsNew: true) };
        await new ManualPlanStage(catalog, _time).RunAsync(context, CancellationToken.None);

        var upsert = Assert.Single(plan.Upserts);
        Assert.Equal(ChangeKind.FirstSeen, upsert.Kind);
        Assert.Null(upsert.FeedStatus);
        Assert.True(plan.IsBaseline); // the manual source's first case: stored, nothing to alert
        Assert.Contains("exists already", context.Report!.Error, StringComparison.Ordinal);
    }
}
