using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Cluster;

/// <summary>Every instance diffs and answers lookups against what any instance stored: a change pushed through one
/// instance shows in the other's catalog, and a document pushed again to the first one is diffed, not skipped.</summary>
public sealed class CatalogRefreshTests
{
    private const string ApiKey = "catalog-refresh-key-0123456789";

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task DocumentPushedAgain_AfterAnotherInstanceChangedTheCase_AlertsTheChangeBack(string provider)
    {
        await using var database = provider == "Postgres" ? await PostgresDatabase.CreateAsync() : null;
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("f-1", "File Case", "detained")), """
            {
              "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "console", "ChannelId": "ops", "Cases": "push:p-1" } ]
            }
            """);
        var args = new List<string> { $"--Ingest:ApiKey={ApiKey}", "--Cluster:LeaderCheckInterval=00:00:00.5", "--Cluster:CatalogRefreshInterval=00:00:00.5" };
        if (database is not null)
        {
            args.Add("--Storage:Provider=Postgres");
            args.Add($"--Storage:ConnectionString={database.ConnectionString}");
        }
        var a = await BotTestHost.StartAsync(root, [.. args]);
        a.DeleteRootOnDispose = false;
        // SQLite is one instance: "the other instance" is the same one, and the story must end the same way.
        var b = database is null ? a : await BotTestHost.StartAsync(root, [.. args]);
        b.DeleteRootOnDispose = false;
        try
        {
            const string detained = """{"cases":[{"id":"p-1","name":"Amir Amiry","status":"detained"}]}""";
            const string released = """{"cases":[{"id":"p-1","name":"Amir Amiry","status":"released"}]}""";
            Assert.Equal(0, await PushAsync(a, detained)); // baseline
            Assert.Equal(1, await PushAsync(b, released));

            // The first instance's lookups catch up without any push reaching it.
            var catalog = a.App.Services.GetRequiredService<CaseCatalog>();
            await Eventually.TrueAsync(() => catalog.Find(new CaseKey("push", "p-1"))?.Case.Status == CaseStatus.Released, TimeSpan.FromSeconds(20));

            // The same bytes as its last document: still a change now (released -> detained), so it alerts.
            Assert.Equal(1, await PushAsync(a, detained));
            await Eventually.TrueAsync(() => a.Console.Count("==== ALERT") + (b == a ? 0 : b.Console.Count("==== ALERT")) == 2, TimeSpan.FromSeconds(30), detail: () => a.Console.Text + b.Console.Text);
            var alerts = a.Console.Text + (b == a ? "" : b.Console.Text);
            Assert.Contains("Detained -> Released", alerts);
            Assert.Contains("Released -> Detained", alerts);
        }
        finally
        {
            if (b != a) await b.DisposeAsync();
            await a.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder.
            }
        }
    }

    private static async Task<int> PushAsync(BotTestHost host, string document)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await host.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("statusChanges").GetInt32();
    }
}
