using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>Flapping end to end on Discord, on the bot's fake clock: a case that keeps changing gives its first alert at
/// once, then one "changing repeatedly" notice, then, a whole quiet window later, one "settled" alert.</summary>
public sealed class FlappingTests
{
    [Fact]
    public async Task AFlappingCase_GivesTheFirstAlert_OneNotice_AndOneSettledAlert()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await DiscordHost.StartAsync(null, builder => builder.Services.AddSingleton<TimeProvider>(time),
            "--Discord:UseGateway=false", "--Watchlists:0:Style=plain", "--Alerts:FlapThreshold=1", "--Alerts:FlapWindow=00:10:00");
        host.Fake.Clock = time;
        await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");
        var catalog = host.App.Services.GetRequiredService<CaseCatalog>();

        // Five changes a few seconds apart: released, detained, released, detained, released.
        var expected = new[] { "released", "detained", "released", "detained", "released" };
        for (var i = 0; i < expected.Length; i++)
        {
            var status = expected[i];
            WriteFeed(host, status);
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => catalog.Find(new("test", "af-1"))?.Case.Status.ToWire() == status, $"change {i + 1} applied");
        }
        await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 2), "the first alert and the notice sent");
        var texts = Texts(host);
        Assert.Equal(2, texts.Length);
        Assert.Contains("Status changed: Detained -> Released", texts[0], StringComparison.Ordinal);
        Assert.Contains("Status changing repeatedly: Detained ⇄ Released (2 changes since", texts[1], StringComparison.Ordinal);

        // A whole window without a change: one "settled" alert, and nothing more.
        time.Advance(TimeSpan.FromMinutes(10));
        await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(5), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 3), "the settled alert");
        texts = Texts(host);
        Assert.Equal(3, texts.Length);
        Assert.Contains("Settled on Released after 5 changes since", texts[2], StringComparison.Ordinal);
        Assert.Equal(CaseStatus.Released, catalog.Find(new("test", "af-1"))!.Case.Status);
    }

    private static string[] Texts(DiscordHost host) =>
        host.Fake.Messages.Where(m => m.ChannelId == DiscordHost.Channel).Select(m => DiscordCardTests.Unescape((string?)m.Body["embeds"]![0]!["description"])).ToArray();

    private static void WriteFeed(DiscordHost host, string amiryStatus)
    {
        var feed = Path.Combine(host.Root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed(("af-1", "Amir Amiry", amiryStatus), ("ir-2", "Amir Amini", "detained")));
        File.Move(feed + ".tmp", feed, overwrite: true);
    }
}
