using System.Net;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Discord;

/// <summary>The bot serves its own servers only: strangers (another server, a DM) get a refusal without case data and
/// change nothing, the bot leaves servers it was added to without being allowed, and signed requests run once.</summary>
public sealed class DiscordBoundaryTests
{
    private const string ForeignGuild = "390926798626357111";
    private const string ForeignChannel = "745027906669510111";
    private const string Administrator = "8";

    private static async Task<DiscordHost> StartLoadedAsync(FakeDiscordServer? fake = null, params string[] args)
    {
        var host = await DiscordHost.StartAsync(fake, args);
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "cases loaded");
        return host;
    }

    private static async Task<(HttpStatusCode Status, JsonObject? Body)> PostAsync(DiscordHost host, HttpRequestMessage request)
    {
        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text)!.AsObject());
    }

    /// <summary>An ephemeral refusal with the given words and nothing about any case.</summary>
    private static void AssertRefusedWithoutData(JsonNode? callback, string words)
    {
        Assert.NotNull(callback);
        Assert.Equal(4, (int)callback["type"]!);
        var data = callback["data"]!;
        Assert.Equal(64, (int)data["flags"]!);
        // As Discord shows it: a backslash before punctuation is markdown escaping and is not displayed.
        var text = System.Text.RegularExpressions.Regex.Replace(AllText(data), @"\\([\p{P}\p{S}])", "$1");
        Assert.True(text.Contains(words, StringComparison.Ordinal), text);
        foreach (var secret in new[] { "Amir", "af-1", "ir-2", "Detained", "detained" })
        {
            Assert.DoesNotContain(secret, text);
        }
    }

    [Fact]
    public async Task Http_ForeignServerAndDirectMessage_RefusedWithoutDataEvenForAnAdministratorAndNothingChanges()
    {
        await using var host = await StartLoadedAsync(null, "--Discord:UseGateway=false");
        var watchlists = host.App.Services.GetRequiredService<IWatchlistStore>();

        var lookup = await PostAsync(host, host.Signed(DiscordHost.Command("case", "lookup", "Amir Amiry", Administrator, guildId: ForeignGuild,
            channelId: ForeignChannel, id: "1300000000000000101")));
        var add = await PostAsync(host, host.Signed(DiscordHost.Command("watchlist", "add", "af-1", Administrator, guildId: ForeignGuild,
            channelId: ForeignChannel, id: "1300000000000000102")));
        var list = await PostAsync(host, host.Signed(DiscordHost.Command("watchlist", "list", null, Administrator, guildId: ForeignGuild,
            channelId: ForeignChannel, id: "1300000000000000103")));
        var complete = await PostAsync(host, host.Signed(DiscordHost.Command("case", "lookup", "amir", Administrator, autocomplete: true,
            guildId: ForeignGuild, channelId: ForeignChannel, id: "1300000000000000104")));
        var direct = await PostAsync(host, host.Signed(DiscordHost.DirectMessage("case", "lookup", "Amir Amiry", id: "1300000000000000105")));
        var directAdd = await PostAsync(host, host.Signed(DiscordHost.DirectMessage("watchlist", "add", "af-1", id: "1300000000000000106")));
        var directComplete = await PostAsync(host, host.Signed(DiscordHost.DirectMessage("case", "lookup", "amir", autocomplete: true,
            id: "1300000000000000107")));

        Assert.All(new[] { lookup, add, list, complete, direct, directAdd, directComplete }, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        AssertRefusedWithoutData(lookup.Body, AccessRefusals.ForeignServer);
        AssertRefusedWithoutData(add.Body, AccessRefusals.ForeignServer);
        AssertRefusedWithoutData(list.Body, AccessRefusals.ForeignServer);
        AssertRefusedWithoutData(direct.Body, AccessRefusals.DirectMessage);
        AssertRefusedWithoutData(directAdd.Body, AccessRefusals.DirectMessage);
        foreach (var autocomplete in new[] { complete.Body, directComplete.Body })
        {
            Assert.Equal(8, (int)autocomplete!["type"]!);
            Assert.Empty(autocomplete["data"]!["choices"]!.AsArray());
        }

        Assert.Empty(await watchlists.ListAsync("discord", ForeignChannel, CancellationToken.None));
        Assert.Empty(await watchlists.ListAsync("discord", "645027906669519999", CancellationToken.None));
        // The team's own server still gets its answer.
        var own = await PostAsync(host, host.Signed(DiscordHost.Command("case", "lookup", "Amir Amiry", id: "1300000000000000108")));
        Assert.Contains("Amir Amiry", (string?)own.Body!["data"]!["embeds"]![0]!["title"]);
    }

    [Fact]
    public async Task Gateway_ForeignServerInteraction_RefusedThroughTheCallbackWithoutData()
    {
        await using var host = await StartLoadedAsync();
        await Eventually.TrueAsync(async () => (bool)Component(await host.HealthAsync(), DiscordWiring.GatewayHealthComponent)["healthy"]!, because: "gateway ready");

        await host.Fake.Gateway.DispatchAsync("INTERACTION_CREATE", JsonNode.Parse(DiscordHost.Command("watchlist", "add", "af-1", Administrator,
            guildId: ForeignGuild, channelId: ForeignChannel, id: "1300000000000000201"))!);
        await host.Fake.Gateway.DispatchAsync("INTERACTION_CREATE", JsonNode.Parse(DiscordHost.DirectMessage("case", "lookup", "Amir Amiry",
            id: "1300000000000000202"))!);

        await Eventually.TrueAsync(() => host.Fake.Callbacks.Count == 2, because: "two callbacks");
        var byId = host.Fake.Callbacks.ToDictionary(c => c.Id);
        AssertRefusedWithoutData(byId["1300000000000000201"].Json, AccessRefusals.ForeignServer);
        AssertRefusedWithoutData(byId["1300000000000000202"].Json, AccessRefusals.DirectMessage);
        var watchlists = host.App.Services.GetRequiredService<IWatchlistStore>();
        Assert.Empty(await watchlists.ListAsync("discord", ForeignChannel, CancellationToken.None));
        // The bot asks for GUILDS (to see which servers it is in), GUILD_MESSAGES (to hear that a case card was deleted) and
        // nothing privileged (no message content).
        var identify = host.Fake.Gateway.Received.First(p => (int?)p["op"] == 2);
        Assert.Equal(FakeGateway.GuildsIntent | FakeDiscordServer.GuildMessagesIntent, (int)identify["d"]!["intents"]!);
    }

    [Fact]
    public async Task Gateway_AddedToAForeignServer_LeavesItAndStaysInItsOwn()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await fake.AddGuildAsync(DiscordHost.Guild, "Our team");
        await fake.AddGuildAsync(ForeignGuild, "Strangers");
        await using var host = await StartLoadedAsync(fake);

        await Eventually.TrueAsync(() => fake.LeftGuilds.Count == 1, because: "foreign server left");
        Assert.Equal([ForeignGuild], fake.LeftGuilds);

        // Added to another one while running: left as soon as it is announced.
        const string later = "390926798626357222";
        await fake.AddGuildAsync(later, "More strangers", announce: true);
        await Eventually.TrueAsync(() => fake.LeftGuilds.Count == 2, because: "second foreign server left");
        Assert.Equal([ForeignGuild, later], fake.LeftGuilds);
        Assert.Equal([DiscordHost.Guild], fake.Guilds.Select(g => g.Id));
        var servers = Component(await host.HealthAsync(), DiscordGuildBoundary.HealthComponent);
        Assert.Equal("healthy", (string?)servers["status"]);
    }

    [Fact]
    public async Task Gateway_LeavingAForeignServerFails_DegradedAndListedInDetailButStillRefused()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        fake.Script(new ScriptedResponse((method, path) => method == "DELETE" && path.Contains("/users/@me/guilds/", StringComparison.Ordinal),
            403, """{"message":"Missing Access","code":50001}"""));
        await fake.AddGuildAsync(ForeignGuild, "Strangers");
        await using var host = await StartLoadedAsync(fake);

        JsonObject detail = null!;
        await Eventually.TrueAsync(async () =>
        {
            detail = JsonNode.Parse(await host.HealthAsync())!.AsObject();
            return detail["components"]!.AsArray().Any(c => (string?)c!["name"] == DiscordGuildBoundary.HealthComponent
                && ((string?)c["detail"])!.Contains("leaving failed", StringComparison.Ordinal));
        }, because: "foreign server listed with the failed leave");

        var servers = Component(detail.ToJsonString(), DiscordGuildBoundary.HealthComponent);
        Assert.Contains(ForeignGuild, (string?)servers["detail"]);
        Assert.Contains("Missing Access", (string?)servers["detail"]);
        Assert.Equal("degraded", (string?)detail["status"]);
        Assert.Empty(fake.LeftGuilds);
        using var plain = await host.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("""{"status":"degraded"}""", await plain.Content.ReadAsStringAsync());
        // Still a member, still refused.
        var lookup = await PostAsync(host, host.Signed(DiscordHost.Command("case", "lookup", "Amir Amiry", Administrator, guildId: ForeignGuild,
            id: "1300000000000000301")));
        AssertRefusedWithoutData(lookup.Body, AccessRefusals.ForeignServer);
    }

    [Fact]
    public async Task Http_SameSignedInteractionTwice_SecondIs401AndRunsNothing()
    {
        await using var host = await StartLoadedAsync(null, "--Discord:UseGateway=false");
        var body = DiscordHost.Command("watchlist", "add", "ir-2", Administrator, id: "1300000000000000401");
        var signedAt = DateTimeOffset.UtcNow;

        var first = await PostAsync(host, host.Signed(body, signedAt: signedAt));
        var second = await PostAsync(host, host.Signed(body, signedAt: signedAt));

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("Added to this channel's watchlist", (string?)first.Body!["data"]!["embeds"]![0]!["title"]);
        Assert.Equal(HttpStatusCode.Unauthorized, second.Status);
        Assert.Null(second.Body);
        var entries = await host.App.Services.GetRequiredService<IWatchlistStore>().ListAsync("discord", DiscordHost.Channel, CancellationToken.None);
        Assert.Single(entries, e => e.CaseId == "ir-2");
    }

    [Theory]
    [InlineData(-6 * 60)] // older than five minutes
    [InlineData(2 * 60)]  // more than a minute ahead
    public async Task Http_ValidlySignedButStaleOrFutureTimestamp_Is401(int offsetSeconds)
    {
        await using var host = await StartLoadedAsync(null, "--Discord:UseGateway=false");
        var body = DiscordHost.Command("case", "lookup", "Amir Amiry", id: "1300000000000000501");

        var (status, answer) = await PostAsync(host, host.Signed(body, signedAt: DateTimeOffset.UtcNow.AddSeconds(offsetSeconds)));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Null(answer);
        Assert.Empty(host.Fake.Callbacks);
    }

    [Fact]
    public async Task Startup_DiscordOnWithoutAnyServerIds_RefusesToStartNamingTheKey()
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")), DiscordHost.Settings);
        try
        {
            var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => BotApplication.Build(
                ["--Urls=http://127.0.0.1:0", $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", "--Discord:UseGateway=false",
                 "--Discord:PublicKey=" + new string('a', 64)], null, root));

            Assert.Contains("Discord:AllowedGuildIds", error.Message);
            Assert.Contains("would answer any server", error.Message);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>Every string in a reply, decoded, one per line.</summary>
    private static string AllText(JsonNode? node) => node switch
    {
        JsonObject o => string.Join("\n", o.Select(p => AllText(p.Value))),
        JsonArray a => string.Join("\n", a.Select(AllText)),
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => "",
    };

    private static JsonObject Component(string health, string name) =>
        JsonNode.Parse(health)!["components"]!.AsArray().Single(c => (string?)c!["name"] == name)!.AsObject();
}
