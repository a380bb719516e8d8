using System.Text;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using DetaineeAlertBot.Core.Tests.Fakes;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Sync;

/// <summary>Rejected records are still listed (never "no longer listed", never changed), and their log is bounded.</summary>
public class CaseSyncRejectionTests
{
    private readonly InMemoryCaseStore _store = new();
    private readonly RecordingLoggers _log = new();

    private SyncPipeline Service(CaseCatalog catalog) =>
        SyncPipeline.Create(_store, catalog, new AppliedDocuments(), new AlertSignal(), new BotMetrics(), new FakeTimeProvider(Now), _log);

    private static string Json(CaseRecord record) => CaseJson.Serialize(record);

    [Fact]
    public async Task RecordWithBrokenEscape_IsNeitherChangedNorUnlisted()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")), Stored(Case("3")));
        var service = Service(catalog);
        var document = $$"""{"cases":[{{Json(Case("1", CaseStatus.Released))}},{"id":"2","name":"B\x","status":"released"},{{Json(Case("3"))}}]}""";

        var report = await service.SyncAsync("feed", Encoding.UTF8.GetBytes(document), CancellationToken.None);

        Assert.True(report.Succeeded, report.Error);
        var plan = Assert.Single(_store.Applied);
        Assert.Empty(plan.NotSeen);
        Assert.Equal(["1"], plan.Upserts.Select(u => u.Case.Id));
        Assert.Equal(CaseStatus.Detained, catalog.Find(new CaseKey("feed", "2"))!.Case.Status);
        Assert.Equal("2", Assert.Single(report.Rejections).Id);
    }

    [Fact]
    public async Task RejectedRecordWithoutReadableId_MarksNothingUnlisted()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")));
        var service = Service(catalog);
        var document = $$"""{"cases":[{{Json(Case("1", CaseStatus.Released))}},{"id":"\ud800","name":"B","status":"released"}]}""";

        var report = await service.SyncAsync("feed", Encoding.UTF8.GetBytes(document), CancellationToken.None);

        Assert.True(report.Succeeded, report.Error);
        Assert.Empty(Assert.Single(_store.Applied).NotSeen);
        Assert.Null(catalog.Find(new CaseKey("feed", "2"))!.NotSeenSince);
    }

    [Fact]
    public async Task CaseReallyMissing_IsStillMarkedUnlisted()
    {
        var catalog = Catalog(null, Stored(Case("1")), Stored(Case("2")), Stored(Case("3")));
        var service = Service(catalog);
        var document = $$"""{"cases":[{{Json(Case("1"))}},{"id":"2","name":"B","status":"jailed"}]}""";

        await service.SyncAsync("feed", Encoding.UTF8.GetBytes(document), CancellationToken.None);

        Assert.Equal([new CaseKey("feed", "3")], Assert.Single(_store.Applied).NotSeen);
    }

    [Fact]
    public async Task ManyRejections_LogAtMostAHundredLinesAndOneSummary()
    {
        const int bad = 340;
        var catalog = Catalog(null, Stored(Case("1")));
        var service = Service(catalog);
        var records = Enumerable.Range(0, bad).Select(i => $$"""{"id":"b{{i}}","name":"B","status":"jailed"}""").Prepend(Json(Case("1", CaseStatus.Charged)));

        var report = await service.SyncAsync("feed", Encoding.UTF8.GetBytes($"[{string.Join(",", records)}]"), CancellationToken.None);

        Assert.Equal(bad, report.RejectedCount);
        Assert.Equal(100, report.Rejections.Count);
        Assert.Contains($"{bad} rejected", report.Summary);
        Assert.Equal(100, _log.Lines.Count(l => l.StartsWith("Rejected a feed record:", StringComparison.Ordinal)));
        var summary = Assert.Single(_log.Lines, l => l.Contains("more rejections not shown", StringComparison.Ordinal));
        Assert.Contains($"{bad - 100} more rejections not shown", summary);
    }

    [Fact]
    public async Task FewRejections_LogNoSummaryLine()
    {
        var catalog = Catalog(null, Stored(Case("1")));
        var service = Service(catalog);

        await service.SyncAsync("feed", Encoding.UTF8.GetBytes($$"""[{{Json(Case("1"))}},{"id":"b","name":"B","status":"jailed"}]"""), CancellationToken.None);

        Assert.Single(_log.Lines, l => l.StartsWith("Rejected a feed record:", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Lines, l => l.Contains("not shown", StringComparison.Ordinal));
    }
}
