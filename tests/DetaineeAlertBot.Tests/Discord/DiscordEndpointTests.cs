using System.Net;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Discord;

/// <summary>POST /discord/interactions on the real host: signatures, PING, commands and autocomplete.</summary>
public sealed class DiscordEndpointTests : IAsyncLifetime
{
    private DiscordHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        // The catalog is loaded once the first sync ran.
        await Eventually.TrueAsync(async () => (await _host.HealthAsync()).Contains("\"cases\":2"), because: "cases loaded");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonObject? Body, string? ContentType)> PostAsync(HttpRequestMessage request)
    {
        using var response = await _host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject(), response.Content.Headers.ContentType?.MediaType);
    }

    private const string Ping = """{"id":"787053080478613555","application_id":"1200000000000000000","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}""";

    [Fact]
    public async Task Interactions_SignedPing_Pong()
    {
        var (status, body, contentType) = await PostAsync(_host.Signed(Ping));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(1, (int)body!["type"]!);
    }

    public static TheoryData<string> Tampering => ["body", "timestamp", "unsigned", "signature"];

    [Theory]
    [MemberData(nameof(Tampering))]
    public async Task Interactions_TamperedOrUnsigned_Unauthorized(string how)
    {
        var request = how switch
        {
            "body" => _host.Signed(Ping, b => b.Replace("\"type\":1", "\"type\":2")),
            "timestamp" => _host.Signed(Ping, timestampOverride: "1"),
            "unsigned" => _host.Signed(Ping, sign: false),
            _ => WithSignature(_host.Signed(Ping), new string('0', 128)),
        };

        var (status, body, _) = await PostAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Null(body);
    }

    private static HttpRequestMessage WithSignature(HttpRequestMessage request, string signature)
    {
        request.Headers.Remove("X-Signature-Ed25519");
        request.Headers.Add("X-Signature-Ed25519", signature);
        return request;
    }

    [Fact]
    public async Task Interactions_CaseLookup_EphemeralEmbedWithoutMentions()
    {
        var (status, body, _) = await PostAsync(_host.Signed(DiscordHost.Command("case", "lookup", "amir amiri")));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(4, (int)body!["type"]!);
        var data = body["data"]!;
        Assert.Equal(64, (int)data["flags"]!);
        Assert.Empty(data["allowed_mentions"]!["parse"]!.AsArray());
        Assert.Contains("Amir Amiry", (string?)data["embeds"]![0]!["title"]);
    }

    [Fact]
    public async Task Interactions_WatchlistAddByMember_EphemeralRefusal()
    {
        var (_, body, _) = await PostAsync(_host.Signed(DiscordHost.Command("watchlist", "add", "ir-2", permissions: "3072")));

        var data = body!["data"]!;
        Assert.Equal(64, (int)data["flags"]!);
        Assert.Contains("admins", (string?)data["embeds"]![0]!["description"]);
    }

    [Theory]
    [MemberData(nameof(DiscordAndSlackCommandTableTests.AdminOnlySubcommands), MemberType = typeof(DiscordAndSlackCommandTableTests))]
    public async Task Interactions_AdminOnlySubcommandByMember_RefusedAsTheTableSaysAndNothingChanges(string command, string subcommand)
    {
        var spec = CommandTable.Find(command, subcommand)!;
        var watchlists = _host.App.Services.GetRequiredService<IWatchlistStore>();
        var outbox = _host.App.Services.GetRequiredService<IAlertOutbox>();
        var watchedBefore = await watchlists.ListAsync(Platforms.Discord, DiscordHost.Channel, CancellationToken.None);
        var outboxBefore = await outbox.GetStatsAsync(CancellationToken.None);
        Assert.Contains(watchedBefore, entry => entry.CaseId == "af-1");

        // af-1 is watched in the channel (removing it would change something), ir-2 is not (adding it would).
        var value = spec.Option is null ? null : subcommand == "remove" ? "af-1" : spec.Option.SuggestsCases ? "ir-2" : "all";
        var (_, body, _) = await PostAsync(_host.Signed(DiscordHost.Command(command, subcommand, value, permissions: "3072", optionName: spec.Option?.Name ?? "query")));

        var data = body!["data"]!;
        Assert.Equal(64, (int)data["flags"]!);
        Assert.Equal(DetaineeAlertBot.Adapters.Discord.DiscordMarkdown.Escape(spec.AdminRefusal!(Platforms.Discord)), (string?)data["embeds"]![0]!["description"]);
        Assert.Equal(watchedBefore, await watchlists.ListAsync(Platforms.Discord, DiscordHost.Channel, CancellationToken.None));
        Assert.Equal(outboxBefore, await outbox.GetStatsAsync(CancellationToken.None));
    }

    public static TheoryData<string, string[]> Admins => new()
    {
        // ADMINISTRATOR, MANAGE_GUILD, all permissions (the docs' example), or a configured admin role.
        { "8", [] },
        { "32", [] },
        { "2147483647", [] },
        { "3072", [DiscordHost.AdminRole] },
    };

    [Theory]
    [MemberData(nameof(Admins))]
    public async Task Interactions_WatchlistAddByAdmin_AddedVisibleToChannel(string permissions, string[] roles)
    {
        var (_, body, _) = await PostAsync(_host.Signed(DiscordHost.Command("watchlist", "add", "ir-2", permissions, roles)));

        var data = body!["data"]!;
        Assert.Null(data["flags"]);
        Assert.Equal("Added to this channel's watchlist", (string?)data["embeds"]![0]!["title"]);
    }

    [Fact]
    public async Task Interactions_Autocomplete_SuggestsCaseNames()
    {
        var (_, body, _) = await PostAsync(_host.Signed(DiscordHost.Command("case", "lookup", "amir", autocomplete: true)));

        Assert.Equal(8, (int)body!["type"]!);
        var choices = body["data"]!["choices"]!.AsArray();
        Assert.Contains(choices, c => ((string?)c!["name"])!.Contains("Amir Amiry"));
        Assert.All(choices, c => Assert.True(((string?)c!["value"])!.Length is > 0 and <= 100));
    }

    [Fact]
    public async Task Interactions_NotJsonButSigned_BadRequest()
    {
        var (status, _, _) = await PostAsync(_host.Signed("not json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }
}

/// <summary>The endpoint when the answer is not ready in time: a deferral through the callback endpoint, 202, then PATCH @original.</summary>
public sealed class DiscordDeferredEndpointTests : IAsyncLifetime
{
    private DiscordHost _host = null!;

    public async Task InitializeAsync()
    {
        // Every command counts as slow: the responder defers at once.
        _host = await DiscordHost.StartAsync(null, builder => builder.Services.AddSingleton(provider => new InteractionResponder(
            provider.GetRequiredService<DiscordRestClient>(), null, provider.GetRequiredService<TimeProvider>()) { DeferAfter = TimeSpan.Zero }),
            "--Discord:UseGateway=false");
        await Eventually.TrueAsync(async () => (await _host.HealthAsync()).Contains("\"cases\":2"), because: "cases loaded");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Interactions_SlowLookup_DeferredEphemeralThenOriginalEdited()
    {
        using var response = await _host.Http.SendAsync(_host.Signed(DiscordHost.Command("case", "lookup", "Amir Amiry", id: "1300000000000000042")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var deferral = Assert.Single(_host.Fake.Callbacks);
        Assert.Equal("1300000000000000042", deferral.Id);
        Assert.Equal(5, (int)deferral.Json["type"]!);
        Assert.Equal(64, (int)deferral.Json["data"]!["flags"]!);
        await Eventually.TrueAsync(() => _host.Fake.FollowUps.Count == 1, because: "PATCH @original");
        var edit = _host.Fake.FollowUps[0];
        Assert.Equal("fake-interaction-token-1300000000000000042", edit.Token);
        Assert.Contains("Amir Amiry", (string?)edit.Json["embeds"]![0]!["title"]);
        Assert.Empty(edit.Json["allowed_mentions"]!["parse"]!.AsArray());
    }

    [Fact]
    public async Task Interactions_AutocompleteWhileCommandsDefer_AnsweredInlineNeverDeferred()
    {
        // Autocomplete has no deferred form: it has its own budget and is always answered inline.
        using var response = await _host.Http.SendAsync(_host.Signed(DiscordHost.Command("case", "lookup", "amir", autocomplete: true)));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(8, (int)body["type"]!);
        Assert.NotEmpty(body["data"]!["choices"]!.AsArray());
        Assert.Empty(_host.Fake.Callbacks);
    }
}
