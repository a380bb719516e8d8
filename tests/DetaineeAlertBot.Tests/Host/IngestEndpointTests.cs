using DetaineeAlertBot.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DetaineeAlertBot.Tests.Host;

public class IngestEndpointTests
{
    private const string ApiKey = "fake-ingest-key-0123456789abcdef";

    private static async Task<BotTestHost> StartAsync(params string[] args)
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("f-1", "From File", "detained")), $$"""
            {
              "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "console", "ChannelId": "desk", "Cases": "push:p-1" } ],
              "Ingest": { "ApiKey": "{{ApiKey}}", "MaxDocumentBytes": 4096 }
            }
            """);
        return await BotTestHost.StartAsync(root, args);
    }

    private static HttpRequestMessage Push(string body, string? key = ApiKey, string path = "/api/v1/cases")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-wrong-key-wrong-key-00")]
    [InlineData("fake-ingest-key-0123456789abcde")] // one character short
    public async Task Push_MissingOrWrongKey_Is401AndChangesNothing(string? key)
    {
        await using var host = await StartAsync();
        await Eventually.TrueAsync(async () => (await PipelineEndToEndTests.Health(host)).Contains("\"cases\":1")); // the file's case

        using var response = await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed", "detained")), key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        // The push is applied before its answer is sent, so once the 401 is here nothing can still change.
        Assert.Contains("\"cases\":1", await PipelineEndToEndTests.Health(host)); // still only the file's case
    }

    [Fact]
    public async Task Push_BaselineThenChange_AlertsOnceAndReportsRejections()
    {
        await using var host = await StartAsync();

        using var first = await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed Person", "detained"))));
        var firstBody = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        using var second = await host.Http.SendAsync(Push("""{ "cases": [ { "id": "p-1", "name": "Pushed Person", "status": "charged" }, { "id": "p-2", "status": "released" } ] }"""));
        var secondBody = JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(firstBody.GetProperty("baseline").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(1, secondBody.GetProperty("statusChanges").GetInt32());
        Assert.Equal(1, secondBody.GetProperty("alertsQueued").GetInt32());
        var rejected = Assert.Single(secondBody.GetProperty("rejected").EnumerateArray());
        Assert.Equal("p-2", rejected.GetProperty("id").GetString());
        Assert.Contains("missing required field \"name\"", rejected.GetProperty("reason").GetString());
        await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") == 1, detail: () => host.Console.Text);
        Assert.Contains("Pushed Person — Charged", host.Console.Text);
    }

    [Fact]
    public async Task Push_Malformed_Is422AndChangesNothing()
    {
        await using var host = await StartAsync();
        await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed", "detained"))));

        using var response = await host.Http.SendAsync(Push("{ \"cases\": [ { \"id\": \"p-1\", \"status\": \"released\""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.False(body.GetProperty("applied").GetBoolean());
        Assert.Contains("not valid JSON", body.GetProperty("error").GetString());
        Assert.Equal(0, host.Console.Count("==== ALERT"));

        // A later good document is the marker: once its alert is stored sent, the refused one would have shown before it
        // (and this alert would then read "Released -> Charged").
        Assert.Equal(HttpStatusCode.OK, (await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed", "charged"))))).StatusCode);
        await Eventually.TrueAsync(() => host.AllSentAsync(delivered: 1), because: "the marker's alert stored sent");
        Assert.Equal(1, host.Console.Count("==== ALERT"));
        Assert.Contains("Status changed: Detained -> Charged", host.Console.Text);
        Assert.DoesNotContain("Released", host.Console.Text);
    }

    [Fact]
    public async Task Push_OverSizeLimit_Is413()
    {
        await using var host = await StartAsync();

        using var response = await host.Http.SendAsync(Push("[" + new string(' ', 5000) + "]"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("Ingest:MaxDocumentBytes", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Push_IntoAPolledSource_Is409()
    {
        await using var host = await StartAsync();

        using var response = await host.Http.SendAsync(Push(BotTestHost.Feed(("f-1", "From File", "released")), path: "/api/v1/cases?source=file"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task Push_WithoutApiKeyConfigured_EndpointIsOff()
    {
        await using var host = await StartAsync("--Ingest:ApiKey=");

        using var response = await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed", "detained"))));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Push_HostileRecords_AreRejectedOneByOneAndTheGoodChangeAlertsEveryWatchingChannel()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("f-1", "From File", "detained")), $$"""
            {
              "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [
                { "Platform": "console", "ChannelId": "desk", "Cases": "push:p-1" },
                { "Platform": "console", "ChannelId": "legal", "Cases": "push:p-1" }
              ],
              "Ingest": { "ApiKey": "{{ApiKey}}" }
            }
            """);
        await using var host = await BotTestHost.StartAsync(root);
        using var baseline = await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed Person", "detained"))));
        Assert.Equal(HttpStatusCode.OK, baseline.StatusCode);

        // Raw JSON on purpose: a lone surrogate escape, a US-style date and a BEL in an id, next to one real change.
        using var response = await host.Http.SendAsync(Push("""
            { "cases": [
              { "id": "p-2", "name": "\ud800", "status": "detained" },
              { "id": "p-3", "name": "Date Person", "status": "detained", "statusSince": "03/04/2025" },
              { "id": "p-\u0007x", "name": "Control Person", "status": "detained" },
              { "id": "p-1", "name": "Pushed Person", "status": "released" }
            ] }
            """));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, body.GetProperty("statusChanges").GetInt32());
        var rejected = body.GetProperty("rejected").EnumerateArray().ToArray();
        Assert.Equal(3, rejected.Length);
        Assert.Equal(3, body.GetProperty("rejectedCount").GetInt32());
        Assert.Equal([0, 1, 2], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Contains("statusSince", rejected[1].GetProperty("reason").GetString());
        await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") == 2, detail: () => host.Console.Text);
        Assert.Contains("==== ALERT · console channel desk ·", host.Console.Text);
        Assert.Contains("==== ALERT · console channel legal ·", host.Console.Text);
        Assert.Contains("Pushed Person — Released", host.Console.Text);
        Assert.False(host.Console.Text.Contains('\u0007', StringComparison.Ordinal), host.Console.Text.Replace("\u0007", "<BEL>", StringComparison.Ordinal)); // the control character never reaches the console
    }

    [Fact]
    public async Task Push_IntoAnUnknownSource_Is404WithTheFixAndCreatesNothing()
    {
        await using var host = await StartAsync();
        // The file source's baseline first, so the count after the refused push is a fact and not a race.
        await Eventually.TrueAsync(async () => (await PipelineEndToEndTests.Health(host)).Contains("\"cases\":1", StringComparison.Ordinal), because: "the file source's baseline");

        using var response = await host.Http.SendAsync(Push(BotTestHost.Feed(("x-1", "Forged", "released")), path: "/api/v1/cases?source=forged"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await response.Content.ReadAsStringAsync();
        Assert.Contains("Ingest:Sources", error);
        Assert.Contains("push", error); // the names it may push into
        Assert.Contains("\"cases\":1", await PipelineEndToEndTests.Health(host)); // no source, no case was created
    }

    [Fact]
    public async Task Push_RepeatedWrongKeys_AreSlowedWith429EvenForTheRightKey()
    {
        await using var host = await StartAsync();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await host.Http.SendAsync(Push("{}", key: "wrong-key-wrong-key-wrong-key-00"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var slowed = await host.Http.SendAsync(Push(BotTestHost.Feed(("p-1", "Pushed", "detained"))));

        Assert.Equal((HttpStatusCode)429, slowed.StatusCode);
        Assert.NotNull(slowed.Headers.RetryAfter);
        Assert.Contains("\"cases\":1", await PipelineEndToEndTests.Health(host));
    }

    [Fact]
    public async Task Push_KeyWithSurroundingSpaces_InConfigAndHeader_IsAccepted()
    {
        await using var host = await StartAsync($"--Ingest:ApiKey=  {ApiKey}  ");
        using var request = Push(BotTestHost.Feed(("p-1", "Pushed", "detained")), key: null);
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer   {ApiKey} ");

        using var response = await host.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
