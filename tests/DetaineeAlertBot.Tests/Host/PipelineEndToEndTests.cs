using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;

namespace DetaineeAlertBot.Tests.Host;

/// <summary>The whole pipeline over real files, a real SQLite file and real HTTP on 127.0.0.1.</summary>
public class PipelineEndToEndTests
{
    private const string Settings = """
        {
          "Sources": [ { "Name": "test", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "console", "ChannelId": "desk", "Cases": "af-1" } ]
        }
        """;

    [Fact]
    public async Task FileEdit_WatchedStatusChange_PrintsExactlyOneAlert()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained"), ("ir-2", "Amir Amini", "detained")), Settings);
        await using var host = await BotTestHost.StartAsync(root);
        await Eventually.TrueAsync(async () => (await Health(host)).Contains("\"cases\":2"));

        // The baseline alerts nothing; then an editor replaces the file atomically with one watched and one unwatched change.
        host.ReplaceFeedAtomically(BotTestHost.Feed(("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "charged")));

        await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") >= 1, detail: () => host.Console.Text);
        await Eventually.TrueAsync(() => host.AllSentAsync(delivered: 1), because: "the alert stored sent (a duplicate would be printed by then)");
        Assert.Equal(1, host.Console.Count("==== ALERT"));
        Assert.Contains("Amir Amiry — Released", host.Console.Text);
        Assert.Contains("Status changed: Detained -> Released", host.Console.Text);
        Assert.Contains("console channel desk", host.Console.Text);
        Assert.DoesNotContain("Amir Amini", host.Console.Text);
    }

    [Fact]
    public async Task FileEdit_Malformed_ChangesNothingAndHealthSaysWhy()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), Settings);
        await using var host = await BotTestHost.StartAsync(root);
        await Eventually.TrueAsync(async () => (await Health(host)).Contains("\"cases\":1"));

        host.ReplaceFeedAtomically("{ \"cases\": [ { \"id\": \"af-1\", \"status\": \"released\" ");

        await Eventually.TrueAsync(async () => (await Health(host)).Contains("not valid JSON"));
        using var response = await host.Http.GetAsync("/healthz/detail");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var lookup = await host.App.Services.GetRequiredService<DetaineeAlertBot.Core.Commands.BotCommands>()
            .ExecuteAsync(new("case", "lookup", "af-1"), new("console", "desk", "u", null, false), CancellationToken.None);
        Assert.Contains("Detained", lookup.Title);
        Assert.Equal(0, host.Console.Count("==== ALERT"));

        // Fixing the file applies it and the source is healthy again.
        host.ReplaceFeedAtomically(BotTestHost.Feed(("af-1", "Amir Amiry", "released")));
        await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") == 1, detail: () => host.Console.Text);
        await Eventually.TrueAsync(async () => (await host.Http.GetAsync("/healthz/detail")).StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task FileEdit_BadRecord_IsRejectedAndTheRestApplies()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained"), ("af-2", "Other", "detained")), Settings);
        await using var host = await BotTestHost.StartAsync(root);
        await Eventually.TrueAsync(async () => (await Health(host)).Contains("\"cases\":2"));

        host.ReplaceFeedAtomically("""{ "cases": [ { "id": "af-1", "name": "Amir Amiry", "status": "released" }, { "id": "af-2", "name": "Other", "status": "jailed" } ] }""");

        await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") == 1, detail: () => host.Console.Text);
        await Eventually.TrueAsync(async () => (await Health(host)).Contains("1 rejected"));
    }

    [Fact]
    public async Task Healthz_MissingFeedFile_Is503WithTheReason()
    {
        var root = BotTestHost.CreateRoot("{}", """{ "Sources": [ { "Name": "gone", "Type": "File", "Path": "config/nothing-here.json" } ] }""");
        await using var host = await BotTestHost.StartAsync(root);

        await Eventually.TrueAsync(async () => (await Health(host)).Contains("does not exist"));
        using var response = await host.Http.GetAsync("/healthz/detail");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("storage").GetProperty("healthy").GetBoolean());
    }

    [Fact]
    public async Task Healthz_AfterStart_Is200WithStorageAndSources()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), Settings);
        await using var host = await BotTestHost.StartAsync(root);

        // The source reports once its first document is applied; from then on /healthz is 200 and lists it.
        await Eventually.TrueAsync(async () => (await Health(host)).Contains("\"name\":\"source:test\""));
        using var response = await host.Http.GetAsync("/healthz/detail");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"name\":\"storage\"", body);
    }

    internal static async Task<string> Health(BotTestHost host)
    {
        using var response = await host.Http.GetAsync("/healthz/detail");
        return await response.Content.ReadAsStringAsync();
    }
}
