using System.Diagnostics;
using System.Text;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Changes;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Sync.Stages;
using DetaineeAlertBot.Core.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Sync.Stages;

/// <summary>Each stage on its own: what it reads from the context, what it adds, and when it settles the document.</summary>
public class SkipIdenticalStageTests
{
    [Fact]
    public async Task FirstDocument_Hashed_AndPassedOn()
    {
        var context = new SyncContext("feed", Feed(Case("1")));

        await new SkipIdenticalStage(new AppliedDocuments(), new BotMetrics()).RunAsync(context, CancellationToken.None);

        Assert.Equal(32, context.Hash!.Length);
        Assert.Null(context.Report);
    }

    [Fact]
    public async Task SameBytesAsTheLastApplied_SettledAsIdentical()
    {
        var applied = new AppliedDocuments();
        var first = new SyncContext("feed", Feed(Case("1")));
        var stage = new SkipIdenticalStage(applied, new BotMetrics());
        await stage.RunAsync(first, CancellationToken.None);
        applied.Remember("feed", first.Hash!);

        var again = new SyncContext("feed", Feed(Case("1")));
        await stage.RunAsync(again, CancellationToken.None);

        Assert.True(again.Report!.Identical);
    }

    [Fact]
    public async Task SameBytesInAnotherSource_OrAfterForget_NotIdentical()
    {
        var applied = new AppliedDocuments();
        var stage = new SkipIdenticalStage(applied, new BotMetrics());
        var first = new SyncContext("feed", Feed(Case("1")));
        await stage.RunAsync(first, CancellationToken.None);
        applied.Remember("feed", first.Hash!);

        var other = new SyncContext("other", Feed(Case("1")));
        await stage.RunAsync(other, CancellationToken.None);
        applied.Forget("feed");
        var forgotten = new SyncContext("feed", Feed(Case("1")));
        await stage.RunAsync(forgotten, CancellationToken.None);

        Assert.Null(other.Report);
        Assert.Null(forgotten.Report);
    }
}

public class ParseStageTests
{
    private static ParseStage Stage(CaseCatalog catalog) => new(catalog, new BotMetrics(), NullLogger<ParseStage>.Instance);

    [Fact]
    public async Task ValidRecordsKept_BadOneRejectedWithItsReason()
    {
        var context = new SyncContext("feed", Encoding.UTF8.GetBytes($$"""[{{CaseJson.Serialize(Case("1"))}},{"id":"b","name":"B","status":"jailed"}]"""));

        await Stage(Catalog()).RunAsync(context, CancellationToken.None);

        Assert.Null(context.Report);
        Assert.Equal("1", Assert.Single(context.Parsed!.Cases).Id);
        Assert.Contains("jailed", Assert.Single(context.Parsed.Rejections).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyDocumentForASourceWithStoredCases_Refused()
    {
        var context = new SyncContext("feed", Encoding.UTF8.GetBytes("""{"cases":[]}"""));

        await Stage(Catalog(null, Stored(Case("1")))).RunAsync(context, CancellationToken.None);

        Assert.False(context.Report!.Succeeded);
        Assert.Contains("lists no cases", context.Report.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedDocument_Refused()
    {
        var context = new SyncContext("feed", Encoding.UTF8.GetBytes("{ \"cases\": [ {"));

        await Stage(Catalog()).RunAsync(context, CancellationToken.None);

        Assert.Contains("not valid JSON", context.Report!.Error, StringComparison.Ordinal);
    }
}

public class PlanStageTests
{
    [Fact]
    public async Task StatusChangeAgainstTheCatalog_Planned()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var context = new SyncContext("feed", Feed(Case("1", CaseStatus.Released)));
        await new ParseStage(catalog, new BotMetrics(), NullLogger<ParseStage>.Instance).RunAsync(context, CancellationToken.None);

        await new PlanStage(catalog, new FakeTimeProvider(Now), NullLogger<PlanStage>.Instance).RunAsync(context, CancellationToken.None);

        var upsert = Assert.Single(context.Plan!.Upserts);
        Assert.Equal(ChangeKind.StatusChanged, upsert.Kind);
        Assert.Equal(CaseStatus.Detained, upsert.PreviousStatus);
        Assert.Equal(Now, context.Plan.ObservedAt);
        Assert.False(context.Plan.IsBaseline);
    }

    [Fact]
    public async Task WithoutParse_RefusesToGuess()
    {
        var stage = new PlanStage(Catalog(), new FakeTimeProvider(Now), NullLogger<PlanStage>.Instance);

        await Assert.ThrowsAsync<InvalidOperationException>(() => stage.RunAsync(new SyncContext("feed", Feed()), CancellationToken.None));
    }
}

public class StoreStageTests
{
    private static SyncContext Planned(string source, SyncPlan plan) => new(source, Feed()) { Plan = plan, Hash = [1, 2, 3] };

    [Fact]
    public async Task AppliedPlan_UpdatesTheCatalogAndRemembersTheDocument()
    {
        var store = new InMemoryCaseStore();
        var catalog = Catalog(null, Stored(Case("1")));
        var applied = new AppliedDocuments();
        var plan = new SyncPlan("feed", Now, false, [new CaseUpsert(Case("1", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained)], [], []);

        var context = Planned("feed", plan);
        await new StoreStage(store, catalog, applied, NullLogger<StoreStage>.Instance).RunAsync(context, CancellationToken.None);

        Assert.Same(plan, Assert.Single(store.Applied));
        Assert.Equal(1, context.Result!.StatusChanges);
        Assert.Equal(CaseStatus.Released, catalog.Find(new CaseKey("feed", "1"))!.Case.Status);
        Assert.True(applied.IsLastApplied("feed", [1, 2, 3]));
    }

    [Fact]
    public async Task AnotherWriterGotThereFirst_ReloadsTheCatalogFromTheStore_AndForgetsNothingAsApplied()
    {
        var store = new InMemoryCaseStore();
        store.Put(Case("1", CaseStatus.Charged));
        var catalog = Catalog(null, Stored(Case("1")));
        var applied = new AppliedDocuments();
        var plan = new SyncPlan("feed", Now, false, [new CaseUpsert(Case("1", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained)], [], []);

        var context = Planned("feed", plan);
        await new StoreStage(store, catalog, applied, NullLogger<StoreStage>.Instance).RunAsync(context, CancellationToken.None);

        Assert.Equal(1, context.Result!.Conflicts);
        Assert.Equal(CaseStatus.Charged, catalog.Find(new CaseKey("feed", "1"))!.Case.Status);
        Assert.False(applied.IsLastApplied("feed", [1, 2, 3]));
    }

    [Fact]
    public async Task NothingChangedInABaselinedSource_StoreNotCalled()
    {
        var store = new InMemoryCaseStore();
        var context = Planned("feed", new SyncPlan("feed", Now, false, [], [], []));

        await new StoreStage(store, Catalog(null, Stored(Case("1"))), new AppliedDocuments(), NullLogger<StoreStage>.Instance).RunAsync(context, CancellationToken.None);

        Assert.Empty(store.Applied);
        Assert.Equal(new ApplyResult(0, 0, 0, 0), context.Result);
    }

    [Fact]
    public async Task DispatcherOffersAClaim_TheStoreClaimsWithIt_ButNotForABaseline()
    {
        var store = new InMemoryCaseStore();
        var handoff = new DeliveryHandoff();
        var offer = new ClaimRequest(7, "me", TimeSpan.FromMinutes(2), 16, ["slack"]);
        handoff.Open(offer);
        var change = new SyncPlan("feed", Now, false, [new CaseUpsert(Case("1", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained)], [], []);
        var baseline = new SyncPlan("other", Now, true, [new CaseUpsert(Case("9", source: "other"), ChangeKind.FirstSeen, null)], [], []);

        var changed = Planned("feed", change);
        await new StoreStage(store, Catalog(null, Stored(Case("1"))), new AppliedDocuments(), NullLogger<StoreStage>.Instance, handoff).RunAsync(changed, CancellationToken.None);
        var baselined = Planned("other", baseline);
        await new StoreStage(store, Catalog(null, Stored(Case("1"))), new AppliedDocuments(), NullLogger<StoreStage>.Instance, handoff).RunAsync(baselined, CancellationToken.None);

        Assert.Equal([offer, null], store.Claims);
        Assert.Same(offer, changed.Claim);
        Assert.Null(baselined.Claim);
    }
}

public class PublishStageTests
{
    [Theory]
    [InlineData(2, true)]
    [InlineData(0, false)]
    public async Task QueuedAlerts_WakeTheDispatcher_AndTheReportSaysWhatHappened(int queued, bool woken)
    {
        var signal = new AlertSignal();
        var plan = new SyncPlan("feed", Now, false, [new CaseUpsert(Case("1", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained)], [], []);
        var context = new SyncContext("feed", Feed(Case("1", CaseStatus.Released)))
        {
            Parsed = DetaineeAlertBot.Core.Feeds.CaseFeedParser.Parse("feed", Feed(Case("1", CaseStatus.Released)), _ => null),
            Plan = plan,
            Result = new ApplyResult(1, 1, queued, 0),
        };

        await new PublishStage(signal, new BotMetrics(), NullLogger<PublishStage>.Instance).RunAsync(context, CancellationToken.None);

        Assert.Equal(woken, await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.True(context.Report!.Succeeded);
        Assert.Equal(queued, context.Report.AlertsQueued);
        Assert.Equal(1, context.Report.StatusChanges);
    }

    [Fact]
    public async Task RowsTheStoreClaimed_AreHandedToTheDispatcher_UnlessItsOfferEndedMeanwhile()
    {
        var handoff = new DeliveryHandoff();
        var offer = new ClaimRequest(7, "me", TimeSpan.FromMinutes(2), 16, ["slack"]);
        handoff.Open(offer);
        var item = new OutboxItem("d1", "slack", "c1", null, new AdminReport("t", ["b"]), 0, false, null, null, Now);
        var claimed = new ClaimedBatch(Now, [item]);

        var signal = new AlertSignal();
        await new PublishStage(signal, new BotMetrics(), NullLogger<PublishStage>.Instance, handoff).RunAsync(Stored(offer, claimed), CancellationToken.None);

        Assert.True(handoff.TryTake(out var handed));
        Assert.Equal((7L, "d1"), (handed.Term, Assert.Single(handed.Batch.Items).DeliveryId));
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None));

        handoff.Open(offer with { Term = 8 }); // a new term began between the store and the publish
        await new PublishStage(signal, new BotMetrics(), NullLogger<PublishStage>.Instance, handoff).RunAsync(Stored(offer, claimed), CancellationToken.None);
        Assert.Equal(0, handoff.Waiting);
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, CancellationToken.None), "the dispatcher is still woken: its claim takes the rows over");
    }

    private static SyncContext Stored(ClaimRequest claim, ClaimedBatch claimed) => new("feed", Feed(Case("1", CaseStatus.Released)))
    {
        Parsed = DetaineeAlertBot.Core.Feeds.CaseFeedParser.Parse("feed", Feed(Case("1", CaseStatus.Released)), _ => null),
        Plan = new SyncPlan("feed", Now, false, [new CaseUpsert(Case("1", CaseStatus.Released), ChangeKind.StatusChanged, CaseStatus.Detained)], [], []),
        Claim = claim,
        Result = new ApplyResult(1, 1, 1, 0, claimed),
    };
}

public class CatchUpStageTests
{
    private sealed class OtherInstanceWrites(StoredCase written) : ICaseChangeReader
    {
        public Task<long> GetHistoryMarkAsync(CancellationToken cancellationToken) => Task.FromResult(10L);

        public Task<CaseChanges> ReadChangesAsync(long afterHistoryId, CancellationToken cancellationToken) =>
            Task.FromResult(new CaseChanges(11, [written], []));
    }

    [Fact]
    public async Task ChangeByAnotherInstance_InTheCatalogBeforeTheDiff_AndItsSourceDiffedAgain()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var applied = new AppliedDocuments();
        applied.Remember("feed", [9]);
        var refresher = new CatalogRefresher(new OtherInstanceWrites(Stored(Case("1", CaseStatus.Released))), catalog, applied, NullLogger<CatalogRefresher>.Instance);

        await new CatchUpStage(refresher).RunAsync(new SyncContext("feed", Feed()), CancellationToken.None);

        Assert.Equal(CaseStatus.Released, catalog.Find(new CaseKey("feed", "1"))!.Case.Status);
        Assert.False(applied.IsLastApplied("feed", [9]));
    }
}

public class SyncPipelineTests
{
    private static SyncPipeline Pipeline(InMemoryCaseStore store, CaseCatalog catalog, CatalogRefresher? refresher = null) =>
        SyncPipeline.Create(store, catalog, new AppliedDocuments(), new AlertSignal(), new BotMetrics(), new FakeTimeProvider(Now), NullLoggerFactory.Instance, refresher);

    [Fact]
    public void Stages_ReadAsTheDataFlow()
    {
        var pipeline = Pipeline(new InMemoryCaseStore(), Catalog());

        Assert.Equal(["skip-identical", "parse", "plan", "store", "publish"], pipeline.Stages.Select(s => s.Name));
    }

    [Fact]
    public void WithASharedDatabase_CatchUpComesFirst()
    {
        var catalog = Catalog();
        var refresher = new CatalogRefresher(new Moq.Mock<ICaseChangeReader>().Object, catalog, new AppliedDocuments(), NullLogger<CatalogRefresher>.Instance);

        Assert.Equal("catch-up", Pipeline(new InMemoryCaseStore(), catalog, refresher).Stages[0].Name);
    }

    [Fact]
    public async Task RefusedDocument_LaterStagesDoNotRun()
    {
        var store = new InMemoryCaseStore();

        var report = await Pipeline(store, Catalog()).SyncAsync("feed", Encoding.UTF8.GetBytes("not json"), CancellationToken.None);

        Assert.False(report.Succeeded);
        Assert.Empty(store.Applied);
    }

    [Fact]
    public async Task OneDocument_OneTraceWithAChildPerStageRun()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == BotActivity.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) activities.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var store = new InMemoryCaseStore { Watchers = 2 };
        var catalog = Catalog(null, Stored(Case("1", source: "trace-feed")));

        var report = await Pipeline(store, catalog).SyncAsync("trace-feed", Feed(Case("1", CaseStatus.Released, source: "trace-feed")), CancellationToken.None);

        Activity[] mine;
        lock (activities) mine = activities.Where(a => a.RootId == activities.Single(r => r.OperationName == "sync" && (string?)r.GetTagItem("source") == "trace-feed").RootId).ToArray();
        var root = Assert.Single(mine, a => a.OperationName == "sync");
        Assert.Equal(["skip-identical", "parse", "plan", "store", "publish"], mine.Where(a => a.Parent == root).Select(a => a.OperationName));
        Assert.Equal(2, root.GetTagItem("alerts.queued"));
        Assert.Equal(2, report.AlertsQueued);
        Assert.True(report.Duration > TimeSpan.Zero);
    }
}
