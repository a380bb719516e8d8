using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Tests.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static DetaineeAlertBot.Tests.Faults.DeliveryResilience;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>Nothing lost, nothing silent, when one channel is gone or an answer is lost: real bots against the fake Discord server
/// over loopback sockets, on real SQLite files and (in CI) a real PostgreSQL database. Changes arrive by push ingest.</summary>
public sealed class ChannelAndNonceTests
{
    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task DeletedChannel_PausesAndReportsOnce_AndDeadLettersOnlyAfterGiveUpAfter(string provider)
    {
        // SQLite compares on the bot's clock (fake here, moved by two days); PostgreSQL on its own (a short GiveUpAfter).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sqlite = provider == "Sqlite";
        await using var discord = await FakeDiscordServer.StartAsync();
        discord.UnknownChannels[DiscordChannel] = true;
        await using var bot = await DeliveryBot.StartAsync(provider, "discord", DiscordChannel,
            sqlite ? builder => builder.Services.AddSingleton<TimeProvider>(time) : null,
            [.. DiscordArgs(discord), $"--Alerts:GiveUpAfter={(sqlite ? "2.00:00:00" : "00:00:04")}", "--Alerts:ChannelRetryInterval=00:00:01"]);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        await Eventually.TrueAsync(() => discord.Messages.Any(m => m.ChannelId == DiscordAdmin), TimeSpan.FromSeconds(20));
        var report = Assert.Single(discord.Messages, m => m.ChannelId == DiscordAdmin).Body.ToJsonString();
        Assert.Contains($"Cannot post to discord channel {DiscordChannel}", report, StringComparison.Ordinal);
        Assert.Contains("Unknown Channel", report, StringComparison.Ordinal);
        var pauses = await bot.Outbox.GetPausesAsync(CancellationToken.None);
        Assert.Contains(pauses, p => p.Platform == "discord" && p.ChannelId == DiscordChannel);
        Assert.Equal(0L, (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead);

        if (sqlite)
        {
            // Each send is settled (the row back to waiting, the pause's next check set from the current fake time)
            // before the clock moves, else the next check would be set after the jump and never come due.
            async Task SettledAfterAsync(int sends) => await Eventually.TrueAsync(async () =>
                discord.Requests.Count(r => r.Path == $"/api/v10/channels/{DiscordChannel}/messages") >= sends
                && (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Sending == 0
                && (await bot.Outbox.GetPausesAsync(CancellationToken.None)).Any(p => p.ChannelId == DiscordChannel && p.NextCheckAt > time.GetUtcNow()),
                TimeSpan.FromSeconds(20), because: $"send {sends} to the deleted channel settled");

            // Retried while the clock stands still: still no dead letter, still one report.
            await SettledAfterAsync(1);
            time.Advance(TimeSpan.FromDays(1));
            await SettledAfterAsync(2);
            Assert.Equal(0L, (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead);
            time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        }

        await Eventually.TrueAsync(async () => (await bot.Outbox.GetStatsAsync(CancellationToken.None)).Dead == 1, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(() => discord.Messages.Count(m => m.ChannelId == DiscordAdmin) == 2, TimeSpan.FromSeconds(20));
        var dead = Assert.Single(await bot.Outbox.ListDeadAsync(10, CancellationToken.None));
        Assert.Contains("GiveUpAfter", dead.LastError, StringComparison.Ordinal);
        var deadReport = discord.Messages.Where(m => m.ChannelId == DiscordAdmin).Last().Body.ToJsonString();
        Assert.Contains($"/alerts retry id:{dead.DeliveryId}", deadReport, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => (await bot.StatusAsync()).Contains("degraded", StringComparison.Ordinal), TimeSpan.FromSeconds(10), detail: () => bot.StatusAsync());
        Assert.DoesNotContain(discord.Messages, m => m.ChannelId == DiscordChannel);
    }

    [Fact]
    public async Task DiscordAnswerLost_ResentAfterTheNonceWindow_FindsTheFirstMessageInsteadOfPostingAgain()
    {
        // SQLite on the bot's fake clock, shared with the fake Discord, so the nonce can expire without waiting minutes.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var discord = await FakeDiscordServer.StartAsync();
        discord.Clock = time;
        await using var bot = await DeliveryBot.StartAsync("Sqlite", "discord", DiscordChannel, builder => builder.Services.AddSingleton<TimeProvider>(time),
            [.. DiscordArgs(discord), "--Alerts:RetryBaseDelay=00:05:00"]);
        await bot.PushAsync(("af-1", "Amir Amiry", "detained"));
        // The message is created, but its answer and the answers to the client's 3 retries are lost.
        discord.LoseMessageAnswers = 4;
        await bot.PushAsync(("af-1", "Amir Amiry", "released"));

        var posts = () => discord.Requests.Count(r => r.Method == "POST" && r.Path == $"/api/v10/channels/{DiscordChannel}/messages");
        await Eventually.TrueAsync(() =>
        {
            if (posts() == 4 && discord.Messages.Count(m => m.ChannelId == DiscordChannel) == 1) return true;
            time.Advance(TimeSpan.FromSeconds(1)); // the client's retries back off on the fake clock
            return false;
        }, TimeSpan.FromSeconds(30), detail: () => string.Join("\n", discord.Requests.Select(r => $"{r.Method} {r.Path} {r.Status}")));
        var message = Assert.Single(discord.Messages, m => m.ChannelId == DiscordChannel);
        await Eventually.TrueAsync(async () => (await bot.Outbox.FindAsync(message.Nonce!, CancellationToken.None)) is { State: OutboxState.Pending, Attempts: 1 });

        // Past the next attempt (4-5 minutes) and Discord's nonce window: a plain resend would post a second message.
        time.Advance(TimeSpan.FromMinutes(10));

        await Eventually.TrueAsync(async () =>
        {
            if ((await bot.Outbox.FindAsync(message.Nonce!, CancellationToken.None))?.State == OutboxState.Sent) return true;
            // A dispatcher that settled into its idle wait after the jump waits on this clock too: keep it moving.
            time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, TimeSpan.FromSeconds(20));
        var row = await bot.Outbox.FindAsync(message.Nonce!, CancellationToken.None);
        Assert.Equal(message.Id, row!.ExternalId);
        Assert.Single(discord.Messages, m => m.ChannelId == DiscordChannel);
        Assert.Equal(4, posts());
        Assert.Contains(discord.Requests, r => r.Method == "GET" && r.Path == $"/api/v10/channels/{DiscordChannel}/messages");
    }
}
