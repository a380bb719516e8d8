using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Discord;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Tests.Cards;

/// <summary>Digests end to end on Discord, on the bot's fake clock: a daily digest comes at its scheduled instant in its
/// zone (across the night the clocks go forward), once even when the bot restarts in that minute, and a digest due while
/// the bot was down comes when it is back.</summary>
public sealed class DigestScheduleTests
{
    private static readonly string[] Args = ["--Discord:UseGateway=false", "--Watchlists:0:Digest=daily 09:00 Europe/Berlin", "--Watchlists:0:Style=plain"];

    [Fact]
    public async Task ADailyDigest_AtItsInstant_AcrossDaylightSaving_OnceAcrossARestartInItsMinute_AndLateAfterDowntime()
    {
        // Saturday 27 March 2027, 08:30 in Berlin (CET, UTC+1); the clocks go forward on the Sunday night.
        var time = new FakeTimeProvider(new DateTimeOffset(2027, 3, 27, 7, 30, 0, TimeSpan.Zero));
        await using var fake = await FakeDiscordServer.StartAsync();
        fake.Clock = time;
        var root = DiscordHost.NewRoot();
        try
        {
            var host = await StartAsync(root, fake, time);
            await Eventually.TrueAsync(async () => (await host.HealthAsync()).Contains("\"cases\":2"), because: "baseline");

            // A change is collected, not posted.
            WriteFeed(root, "charged");
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 1), "the change collected", () => host.HealthAsync());
            Assert.Empty(fake.Messages);

            // 09:00 CET is 08:00 UTC: the first digest comes then, and not before.
            time.SetUtcNow(new DateTimeOffset(2027, 3, 27, 7, 59, 58, TimeSpan.Zero));
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 2), "the first digest");
            var first = Assert.Single(fake.Messages);
            Assert.InRange(first.CreatedAt, new DateTimeOffset(2027, 3, 27, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 27, 8, 1, 0, TimeSpan.Zero));
            Assert.StartsWith("Digest since 2027-03-27 08:30 Europe/Berlin: 1 change to 1 case", Title(first), StringComparison.Ordinal);
            Assert.Contains("Amir Amiry: Detained → Charged", Description(first), StringComparison.Ordinal);

            // Sunday's 09:00 is CEST (UTC+2): 07:00 UTC, an hour earlier in UTC than the day before.
            WriteFeed(root, "released");
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 3), "the second change collected");
            time.SetUtcNow(new DateTimeOffset(2027, 3, 28, 6, 59, 58, TimeSpan.Zero));
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 4), "the digest after the clocks went forward");
            var second = fake.Messages[1];
            Assert.InRange(second.CreatedAt, new DateTimeOffset(2027, 3, 28, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 3, 28, 7, 1, 0, TimeSpan.Zero));
            Assert.Contains("Amir Amiry: Charged → Released", Description(second), StringComparison.Ordinal);

            // Restarted within the digest's minute: the digest is not queued again.
            await host.DisposeAsync();
            host = await StartAsync(root, fake, time);
            WriteFeed(root, "deceased");
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 5), "a change collected after the restart");
            Assert.True(time.GetUtcNow() < new DateTimeOffset(2027, 3, 28, 7, 1, 0, TimeSpan.Zero), "still the digest's minute");

            // Down across Monday's 07:00 UTC: that digest comes when the bot is back, once.
            await host.DisposeAsync();
            time.SetUtcNow(new DateTimeOffset(2027, 3, 29, 7, 30, 0, TimeSpan.Zero));
            host = await StartAsync(root, fake, time);
            await Eventually.TrueAdvancingAsync(time, TimeSpan.FromSeconds(1), () => BotTestHost.AllSentAsync(host.App.Services, delivered: 6), "the digest missed while down");
            await host.DisposeAsync();

            // Had the restart in Sunday's minute queued that digest again, it would have been sent before Monday's.
            Assert.Equal(3, fake.Messages.Count);
            var third = fake.Messages[2];
            Assert.True(third.CreatedAt >= new DateTimeOffset(2027, 3, 29, 7, 30, 0, TimeSpan.Zero));
            Assert.StartsWith("Digest since 2027-03-28 09:00 Europe/Berlin: 1 change to 1 case", Title(third), StringComparison.Ordinal);
            Assert.Contains("Amir Amiry: Released → Deceased", Description(third), StringComparison.Ordinal);
            Assert.DoesNotContain("Charged", Description(third), StringComparison.Ordinal);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A watcher may still hold the folder; the temp folder is harmless.
            }
        }
    }

    private static Task<DiscordHost> StartAsync(string root, FakeDiscordServer fake, FakeTimeProvider time) =>
        DiscordHost.RestartInAsync(root, fake, builder => builder.Services.AddSingleton<TimeProvider>(time), Args);

    private static void WriteFeed(string root, string amiryStatus)
    {
        var feed = Path.Combine(root, "config", "cases.json");
        File.WriteAllText(feed + ".tmp", BotTestHost.Feed(("af-1", "Amir Amiry", amiryStatus), ("ir-2", "Amir Amini", "detained")));
        File.Move(feed + ".tmp", feed, overwrite: true);
    }

    private static string Title(RecordedMessage message) => DiscordCardTests.Unescape((string?)message.Body["embeds"]![0]!["title"]);

    private static string Description(RecordedMessage message) => DiscordCardTests.Unescape((string?)message.Body["embeds"]![0]!["description"]);
}
