using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using Moq;

namespace DetaineeAlertBot.Core.Tests;

/// <summary>Builders shared by the Core tests.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 4, 0, TimeSpan.Zero);

    public static CaseRecord Case(string id, CaseStatus status = CaseStatus.Detained, string? name = null, string source = "feed") => new()
    {
        Source = source,
        Id = id,
        Name = name ?? $"Person {id}",
        Status = status,
        Country = "Afghanistan",
    };

    public static byte[] Feed(params CaseRecord[] cases) =>
        Encoding.UTF8.GetBytes("{\"cases\":[" + string.Join(",", cases.Select(CaseJson.Serialize)) + "]}");

    /// <summary>A catalog whose search index is a loose mock (search is tested in its own project).</summary>
    public static CaseCatalog Catalog(Mock<ICaseSearch>? search = null, params StoredCase[] cases)
    {
        var catalog = new CaseCatalog((search ?? new Mock<ICaseSearch>()).Object);
        var sources = cases.Select(c => c.Case.Source).Distinct().Select(s => new SourceState(s, Now.AddDays(-1), Now.AddDays(-1)));
        catalog.Load(new StoreSnapshot(cases, sources.ToArray()));
        return catalog;
    }

    public static StoredCase Stored(CaseRecord record, DateTimeOffset? notSeenSince = null) => new(record, Now.AddDays(-30), notSeenSince);
}
