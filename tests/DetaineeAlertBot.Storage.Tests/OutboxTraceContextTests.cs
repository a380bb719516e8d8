using System.Diagnostics;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>The trace context of the sync that created an alert row is stored with it and handed back by the claim,
/// so the delivery continues the document's trace after a restart or on another instance.</summary>
public sealed class OutboxTraceContextTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly string[] Platforms = ["discord"];

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_RowCreatedInsideAnActivity_ReturnsThatActivitysTraceParentAfterAReopen(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);

        string traceParent;
        using (var sync = new Activity("sync").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            traceParent = sync.Id!;
            await ReleaseWatchedCaseAsync(db);
        }
        await db.ReopenAsync();
        var item = await ClaimOneAsync(db);

        Assert.Equal(traceParent, item.TraceParent);
        Assert.True(ActivityContext.TryParse(item.TraceParent, null, out var parsed));
        Assert.Equal(ActivityTraceId.CreateFromString(traceParent.AsSpan(3, 32)), parsed.TraceId);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Claim_RowCreatedWithoutAnActivity_HasNoTraceParent(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            await ReleaseWatchedCaseAsync(db);
        }
        finally
        {
            Activity.Current = previous;
        }

        Assert.Null((await ClaimOneAsync(db)).TraceParent);
    }

    /// <summary>Case "a" baselined as detained and watched by discord/ch1, then released an hour later: one outbox row.</summary>
    private static async Task ReleaseWatchedCaseAsync(TestDatabase db)
    {
        var detained = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, detained), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "ch1", Make.Source, "a", "admin", TestDatabase.Start), None);
        var at = TestDatabase.Start.AddHours(1);
        db.AdvanceTo(at);
        await db.Cases.ApplyAsync(Make.Plan(at, Make.StatusChange(detained with { Status = CaseStatus.Released }, CaseStatus.Detained)), None);
    }

    private static async Task<OutboxItem> ClaimOneAsync(TestDatabase db)
    {
        var term = await db.Outbox.BeginTermAsync(None);
        var batch = await db.Outbox.ClaimAsync(new ClaimRequest(term, "w1", TimeSpan.FromMinutes(2), 10, Platforms), None);
        return Assert.Single(batch.Items);
    }
}
