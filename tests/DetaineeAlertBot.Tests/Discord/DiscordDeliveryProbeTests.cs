using System.Text.Json.Nodes;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Discord;

/// <summary>Before a delivery whose first attempt may have arrived is sent again after Discord's nonce window, the
/// probe reads the channel back for the bot's message carrying its delivery ref, against the fake over real HTTP.</summary>
public sealed class DiscordDeliveryProbeTests : IAsyncLifetime
{
    private const string Channel = "645027906669510667";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));
    private FakeDiscordServer _discord = null!;
    private DiscordRestClient _rest = null!;

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscordServer.StartAsync();
        _discord.Clock = _time;
        _rest = new DiscordRestClient(new HttpClient(), Options.Create(new DiscordRestOptions { ApiBaseUrl = _discord.ApiBaseUrl, BotToken = FakeDiscordServer.DefaultBotToken }));
    }

    public async Task DisposeAsync() => await _discord.DisposeAsync();

    private AlertMessage Alert(string deliveryId) => new(
        deliveryId, "discord", Channel, new CaseRecord { Source = "push", Id = "af-1", Name = "Amir Amiry", Status = CaseStatus.Released },
        CaseStatus.Detained, CaseStatus.Released, _time.GetUtcNow(), 1);

    private DiscordAlertSink Sink() => new(_rest, new Core.Health.HealthRegistry(TimeProvider.System), NullLogger<DiscordAlertSink>.Instance);

    private int ReadsOfTheChannel => _discord.Requests.Count(r => r.Method == "GET" && r.Path == $"/api/v10/channels/{Channel}/messages");

    [Fact]
    public async Task WithinTheNonceWindow_ReadsNothing_TheNonceDeDuplicatesTheResend()
    {
        var alert = Alert("d000000000000000000000001");
        var firstTry = _time.GetUtcNow();
        await Sink().SendAsync(alert, CancellationToken.None);

        var found = await new DiscordDeliveryProbe(_rest).FindAsync(alert, firstTry, firstTry + TimeSpan.FromSeconds(90), CancellationToken.None);
        var resend = await Sink().SendAsync(alert, CancellationToken.None);

        Assert.Null(found);
        Assert.Equal(0, ReadsOfTheChannel);
        Assert.Equal(DeliveryOutcome.Sent, resend.Outcome);
        Assert.Single(_discord.Messages);
    }

    [Fact]
    public async Task AfterTheNonceWindow_FindsTheBotsMessageByItsDeliveryRef()
    {
        var alert = Alert("d000000000000000000000002");
        var firstTry = _time.GetUtcNow();
        var sent = await Sink().SendAsync(alert, CancellationToken.None);
        await Sink().SendAsync(Alert("d000000000000000000000003"), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(30));

        var found = await new DiscordDeliveryProbe(_rest).FindAsync(alert, firstTry, _time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(sent.ExternalId, found);
        Assert.Equal(1, ReadsOfTheChannel);
        Assert.EndsWith("ref d000000000000000000000002", _discord.Messages[0].Body["embeds"]![0]!["footer"]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTheNonceWindow_TheSameRefPostedBySomeoneElse_IsNotTakenForOurs()
    {
        var alert = Alert("d000000000000000000000004");
        var footer = DiscordAlertSink.Footer(alert);
        _discord.PostAsUser(Channel, "80351110224678912", new JsonObject
        {
            ["embeds"] = new JsonArray(new JsonObject { ["title"] = "copy", ["footer"] = new JsonObject { ["text"] = footer } }),
        });
        var firstTry = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(30));

        var found = await new DiscordDeliveryProbe(_rest).FindAsync(alert, firstTry, _time.GetUtcNow(), CancellationToken.None);

        Assert.Null(found);
        Assert.Equal(1, ReadsOfTheChannel);
    }

    [Fact]
    public async Task AfterTheNonceWindow_PagesBackPastNewerMessages_AndStopsBeforeTheFirstAttempt()
    {
        // Ours, then 150 newer messages: found on the second page.
        var alert = Alert("d000000000000000000000005");
        var firstTry = _time.GetUtcNow();
        var sent = await Sink().SendAsync(alert, CancellationToken.None);
        for (var i = 0; i < 150; i++) _discord.PostAsUser(Channel, "80351110224678912", new JsonObject { ["content"] = $"chat {i}" });
        _time.Advance(TimeSpan.FromHours(2));

        var found = await new DiscordDeliveryProbe(_rest).FindAsync(alert, firstTry, _time.GetUtcNow(), CancellationToken.None);

        Assert.Equal(sent.ExternalId, found);
        Assert.Equal(2, ReadsOfTheChannel);

        // A delivery never posted, in a channel with 200 messages from before its change: one page reaches back past
        // the change, so reading stops there instead of walking the channel's whole history.
        for (var i = 0; i < 200; i++) _discord.PostAsUser(Channel, "80351110224678912", new JsonObject { ["content"] = $"old {i}" });
        _time.Advance(TimeSpan.FromHours(1));
        var absent = Alert("d000000000000000000000006");
        var reads = ReadsOfTheChannel;

        Assert.Null(await new DiscordDeliveryProbe(_rest).FindAsync(absent, _time.GetUtcNow(), _time.GetUtcNow() + TimeSpan.FromMinutes(10), CancellationToken.None));
        Assert.Equal(reads + 1, ReadsOfTheChannel);
    }
}
