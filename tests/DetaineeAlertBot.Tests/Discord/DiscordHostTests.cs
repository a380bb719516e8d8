using System.Net;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Tests.Discord;

/// <summary>The host with Discord on: gateway interactions, command registration, alerts, health, configuration errors.</summary>
public class DiscordHostTests
{
    private static JsonObject Component(string health, string name) =>
        JsonNode.Parse(health)!["components"]!.AsArray().Select(c => c!.AsObject()).FirstOrDefault(c => (string?)c["name"] == name)
        ?? new JsonObject { ["name"] = name, ["healthy"] = false, ["detail"] = "not reported" };

    [Fact]
    public async Task Gateway_InteractionCreate_AnsweredThroughCallback()
    {
        await using var host = await DiscordHost.StartAsync();
        await Eventually.TrueAsync(async () => (bool)Component(await host.HealthAsync(), DiscordWiring.GatewayHealthComponent)["healthy"]!, because: "gateway ready");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "cases loaded");

        await host.Fake.Gateway.DispatchAsync("INTERACTION_CREATE", JsonNode.Parse(DiscordHost.Command("case", "lookup", "Amir Amiry", id: "1300000000000000077"))!);

        await Eventually.TrueAsync(() => host.Fake.Callbacks.Count == 1, because: "interaction callback");
        var callback = host.Fake.Callbacks[0];
        Assert.Equal("1300000000000000077", callback.Id);
        Assert.Equal(4, (int)callback.Json["type"]!);
        Assert.Contains("Amir Amiry", (string?)callback.Json["data"]!["embeds"]![0]!["title"]);
        var identify = host.Fake.Gateway.Received.First(p => (int?)p["op"] == 2);
        Assert.Equal(FakeGateway.GuildsIntent | FakeDiscordServer.GuildMessagesIntent, (int)identify["d"]!["intents"]!);
    }

    [Fact]
    public async Task Startup_Commands_RegisteredOnceAndNotAgainOnRestart()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        await using (var first = await DiscordHost.StartAsync(fake, "--Discord:UseGateway=false"))
        {
            await Eventually.TrueAsync(async () => (bool)Component(await first.HealthAsync(), DiscordWiring.CommandsHealthComponent)["healthy"]!, because: "commands registered");
        }

        await using (var second = await DiscordHost.StartAsync(fake, "--Discord:UseGateway=false"))
        {
            await Eventually.TrueAsync(async () => (bool)Component(await second.HealthAsync(), DiscordWiring.CommandsHealthComponent)["healthy"]!, because: "commands checked");
        }

        var commands = fake.Commands[DiscordHost.Guild];
        Assert.Equal(["case", "watchlist", "alerts"], commands.Select(c => (string?)c!["name"]));
        Assert.Equal(1, fake.Requests.Count(r => r.Method == "PUT"));
        Assert.Equal(2, fake.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith($"/guilds/{DiscordHost.Guild}/commands")));
    }

    [Fact]
    public async Task Alert_WatchedCaseChangesInAPlainChannel_OneEmbedWithNonceAndNoMentions()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false", "--Watchlists:0:Style=plain");
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");

        var feed = Path.Combine(host.Root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed(("af-1", "Amir Amiry", "released"), ("ir-2", "Amir Amini", "charged")));
        File.Move(feed + ".tmp", feed, overwrite: true);

        await Eventually.TrueAsync(() => host.Fake.Messages.Count >= 1, because: "alert posted");
        await Eventually.TrueAsync(() => BotTestHost.AllSentAsync(host.App.Services, delivered: 1), because: "the alert stored sent (a duplicate would be in the fake by then)");
        var message = Assert.Single(host.Fake.Messages);
        Assert.Equal(DiscordHost.Channel, message.ChannelId);
        var body = message.Body;
        Assert.True((bool)body["enforce_nonce"]!);
        Assert.InRange(((string?)body["nonce"])!.Length, 1, 25);
        Assert.Empty(body["allowed_mentions"]!["parse"]!.AsArray());
        var embed = body["embeds"]![0]!;
        Assert.Equal("Amir Amiry — Released", (string?)embed["title"]);
        Assert.Equal(@"Status changed: Detained \-\> Released", (string?)embed["description"]);
        Assert.StartsWith("case af-1 · source test · observed", (string?)embed["footer"]!["text"]);
        Assert.NotNull(embed["timestamp"]);
        // Every alert request carried the nonce.
        Assert.All(host.Fake.Requests.Where(r => r.Path.EndsWith("/messages")), r => Assert.Contains("\"enforce_nonce\":true", r.Body));
    }

    [Fact]
    public async Task Sink_UnknownOrForbiddenChannel_PausesTheChannelWithReason_AndABadIdIsRejected()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        host.Fake.UnknownChannels["645027906669510001"] = true;
        host.Fake.ForbiddenChannels["645027906669510002"] = true;
        var sink = host.App.Services.GetRequiredService<DiscordAlertSink>();

        var unknown = await sink.SendAsync(Alert("645027906669510001"), CancellationToken.None);
        var forbidden = await sink.SendAsync(Alert("645027906669510002"), CancellationToken.None);
        var notAnId = await sink.SendAsync(Alert("general"), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.ChannelDown, unknown.Outcome);
        Assert.Contains("Unknown Channel", unknown.Error);
        Assert.Equal(DeliveryOutcome.ChannelDown, forbidden.Outcome);
        Assert.Contains("View Channel", forbidden.Error);
        Assert.Equal(DeliveryOutcome.Rejected, notAnId.Outcome);
        Assert.Equal(2, host.Fake.Requests.Count(r => r.Path.EndsWith("/messages")));
    }

    [Fact]
    public async Task Sink_ServerErrors_RetryLater()
    {
        await using var host = await DiscordHost.StartAsync(null, "--Discord:UseGateway=false");
        for (var i = 0; i < 4; i++)
        {
            host.Fake.Script(new ScriptedResponse((m, p) => p.EndsWith("/messages"), 502, """{"message":"Bad Gateway","code":0}"""));
        }

        var result = await host.App.Services.GetRequiredService<DiscordAlertSink>().SendAsync(Alert(DiscordHost.Channel), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Failed, result.Outcome);
        Assert.True(result.MayHaveArrived);
    }

    [Fact]
    public async Task Healthz_DiscordOn_ReportsTokenGatewayAndCommands()
    {
        await using var host = await DiscordHost.StartAsync();

        await Eventually.TrueAsync(async () =>
        {
            var health = await host.HealthAsync();
            return new[] { DiscordWiring.HealthComponent, DiscordWiring.GatewayHealthComponent, DiscordWiring.CommandsHealthComponent }
                .All(name => (bool)Component(health, name)["healthy"]!);
        }, because: "all Discord components healthy");
        var gateway = Component(await host.HealthAsync(), DiscordWiring.GatewayHealthComponent);
        Assert.StartsWith("ready", (string?)gateway["detail"]);
    }

    [Fact]
    public async Task Healthz_TokenRejected_GatewayStoppedAndReported()
    {
        await using var fake = await FakeDiscordServer.StartAsync();
        fake.BotToken = "fake-other-token";
        await using var host = await DiscordHost.StartAsync(fake);

        // The gateway (close 4004) and the REST token check report separately: wait for both, then look.
        await Eventually.TrueAsync(async () =>
        {
            var seen = await host.HealthAsync();
            return ((string?)Component(seen, DiscordWiring.GatewayHealthComponent)["detail"])!.StartsWith("stopped")
                && ((string?)Component(seen, DiscordWiring.HealthComponent)["detail"] ?? "").Contains("Discord:BotToken");
        }, because: "gateway stopped and token rejected");
        var health = await host.HealthAsync();
        Assert.False((bool)Component(health, DiscordWiring.HealthComponent)["healthy"]!);
        Assert.Contains("Discord:BotToken", (string?)Component(health, DiscordWiring.HealthComponent)["detail"]);
        using var response = await host.Http.GetAsync("/healthz/detail");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Theory]
    // Gateway off and no public key: nothing could receive commands.
    [InlineData("--Discord:UseGateway=false", "Discord:PublicKey")]
    [InlineData("--Discord:PublicKey=not-a-key", "Discord:PublicKey is not a 64-character hex key")]
    [InlineData("--Discord:AdminRoleIds=Moderators", "Discord:AdminRoleIds contains 'Moderators'")]
    [InlineData("--Discord:UseGateway=maybe", "Discord:UseGateway is 'maybe'")]
    public void Build_BadDiscordSettings_FailsNamingKeyAndFix(string arg, string expected)
    {
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("af-1", "Amir Amiry", "detained")));
        try
        {
            var e = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(
                ["--Urls=http://127.0.0.1:0", $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", arg], null, root));

            Assert.Contains(e.Failures, f => f.Contains(expected, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Render_HugeFeedText_FitsEveryLimit()
    {
        var huge = new string('x', 5000);
        var alert = Alert(DiscordHost.Channel) with { Case = Case() with { Name = huge, Country = huge, HeldBy = huge, Location = huge } };

        var request = DiscordAlertSink.Render(alert, out var truncated);

        var embed = Assert.Single(request.Embeds!);
        Assert.True(embed.Title!.Length <= 256);
        Assert.All(embed.Fields!, f => Assert.True(f.Value.Length <= 1024));
        Assert.True(DetaineeAlertBot.Discord.Models.EmbedLimits.Length(embed) <= 6000);
        Assert.NotEmpty(truncated);
    }

    [Fact]
    public void Render_MarkupAndMentionsInName_ShownAsText()
    {
        var alert = Alert(DiscordHost.Channel) with { Case = Case() with { Name = "**@everyone** [x](https://evil.example) <@123>" } };

        var request = DiscordAlertSink.Render(alert, out _);

        var person = request.Embeds![0].Fields![0];
        Assert.Equal(@"\*\*\@everyone\*\* \[x\]\(https\://evil\.example\) \<\@123\>", person.Value);
        Assert.StartsWith(@"\*\*\@everyone\*\* \[x\]\(https\://evil\.example\) \<\@123\>", request.Embeds[0].Title); // titles render markdown too
        Assert.Empty(request.AllowedMentions!.Parse);
    }

    private static CaseRecord Case() => new()
    {
        Source = "test",
        Id = "af-1",
        Name = "Amir Amiry",
        Status = CaseStatus.Released,
        Country = "Afghanistan",
        HeldBy = "Taliban",
        StatusSince = new DateOnly(2026, 11, 20),
        SourceUrl = "https://example.org/case/af-1",
    };

    private static AlertMessage Alert(string channel) => new(
        "abcdefghijklmnopqrstuvwx", "discord", channel, Case(), CaseStatus.Detained, CaseStatus.Released,
        new DateTimeOffset(2026, 11, 22, 10, 4, 0, TimeSpan.Zero), 1, new DateOnly(2024, 12, 1));
}
