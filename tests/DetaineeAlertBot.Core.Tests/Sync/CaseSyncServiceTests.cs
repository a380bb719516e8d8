using System.Text;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using DetaineeAlertBot.Core.Tests.Fakes;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Sync;

public class CaseSyncServiceTests
{
    private readonly InMemoryCaseStore _store = new();

    private SyncPipeline Service(CaseCatalog catalog) =>
        SyncPipeline.Create(_store, catalog, new AppliedDocuments(), new AlertSignal(), new BotMetrics(), new FakeTimeProvider(Now), NullLoggerFactory.Instance);

    [Fact]
    public async Task Sync_MalformedDocument_ChangesNothing()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var service = Service(catalog);

        var report = await service.SyncAsync("feed", Encoding.UTF8.GetBytes("{ \"cases\": [ {"), CancellationToken.None);

        Assert.False(report.Succeeded);
        Assert.Contains("not valid JSON", report.Error);
        Assert.Empty(_store.Applied);
        Assert.Equal(CaseStatus.Detained, catalog.Find(new CaseKey("feed", "1"))!.Case.Status);
    }

    [Fact]
    public async Task Sync_EmptyDocumentForKnownSource_IsRefusedSoNothingIsMarkedUnseen()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var service = Service(catalog);

        var report = await service.SyncAsync("feed", Encoding.UTF8.GetBytes("{ \"cases\": [] }"), CancellationToken.None);

        Assert.False(report.Succeeded);
        Assert.Contains("lists no cases", report.Error);
        Assert.Empty(_store.Applied);
    }

    [Fact]
    public async Task Sync_FirstDocument_IsBaselineAndLaterChangeIsApplied()
    {
        var catalog = Catalog();
        var service = Service(catalog);

        var first = await service.SyncAsync("feed", Feed(Case("1"), Case("2")), CancellationToken.None);
        var second = await service.SyncAsync("feed", Feed(Case("1", CaseStatus.Released), Case("2")), CancellationToken.None);

        Assert.True(first.Baseline);
        Assert.Equal(2, first.New);
        Assert.False(second.Baseline);
        Assert.Equal(1, second.StatusChanges);
        Assert.Equal(CaseStatus.Released, catalog.Find(new CaseKey("feed", "1"))!.Case.Status);
    }

    [Fact]
    public async Task Sync_UnchangedDocument_DoesNotTouchTheStore()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var service = Service(catalog);

        var report = await service.SyncAsync("feed", Feed(Case("1")), CancellationToken.None);

        Assert.True(report.Succeeded);
        Assert.False(report.HasChanges);
        Assert.Empty(_store.Applied);
    }

    [Fact]
    public async Task Sync_BadRecord_IsReportedAndTheRestApplies()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")));
        var service = Service(catalog);
        var document = "{\"cases\":[" + CaseJson.Serialize(Case("1", CaseStatus.Charged)) + ",{\"id\":\"2\",\"name\":\"B\",\"status\":\"jailed\"}]}";

        var report = await service.SyncAsync("feed", Encoding.UTF8.GetBytes(document), CancellationToken.None);

        Assert.True(report.Succeeded);
        Assert.Equal(1, report.StatusChanges);
        var rejection = Assert.Single(report.Rejections);
        Assert.Equal("2", rejection.Id);
        Assert.Contains("unknown status 'jailed'", rejection.Reason);
        Assert.Empty(Assert.Single(_store.Applied).NotSeen);
    }

    [Fact]
    public async Task Sync_ByteIdenticalDocument_IsRecognisedWithoutParsing()
    {
        var catalog = Catalog();
        var service = Service(catalog);
        var document = Feed(Case("1"), Case("2"));
        await service.SyncAsync("feed", document, CancellationToken.None);

        var again = await service.SyncAsync("feed", document, CancellationToken.None);
        var respaced = await service.SyncAsync("feed", (byte[])[.. document, (byte)' '], CancellationToken.None);

        Assert.True(again.Identical);
        Assert.Equal("identical to the last document applied; nothing to do", again.Summary);
        Assert.False(respaced.Identical); // other bytes are parsed and diffed (and change nothing here)
        Assert.False(respaced.HasChanges);
        Assert.Single(_store.Applied);
    }

    [Fact]
    public async Task Sync_RefusedDocument_DoesNotBecomeTheIdenticalBaseline()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var service = Service(catalog);
        var good = Feed(Case("1", CaseStatus.Released));
        await service.SyncAsync("feed", good, CancellationToken.None);
        await service.SyncAsync("feed", Encoding.UTF8.GetBytes("{"), CancellationToken.None);

        // Going back to the last good bytes after a refused document is not "identical": the refused one came between.
        var report = await service.SyncAsync("feed", good, CancellationToken.None);

        Assert.False(report.Identical);
        Assert.True(report.Succeeded);
    }
}
