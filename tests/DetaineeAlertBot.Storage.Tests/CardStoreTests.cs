using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Storage.Tests;

/// <summary>Channel styles, case cards and mutes, on SQLite and PostgreSQL.</summary>
public sealed class CardStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    private static AlertMessage Alert(string deliveryId, string channel = "c1", CaseStatus from = CaseStatus.Detained, CaseStatus to = CaseStatus.Released) =>
        new(deliveryId, "discord", channel, Make.Case("a", to), from, to, At, 1, new DateOnly(2024, 12, 1));

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Style_CardUntilSet_SeedsNeverOverrideAnAdminsChoice(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Equal(CardStyle.Card, await db.Cards.GetStyleAsync("discord", "c1", None));

        await db.Cards.SetStyleAsync("discord", "c1", CardStyle.Plain, "alice", At, None);
        var seeded = await db.Cards.SeedStylesAsync([("discord", "c1", CardStyle.Card), ("slack", "C2", CardStyle.Plain)], At, None);

        Assert.Equal(1, seeded);
        Assert.Equal(CardStyle.Plain, await db.Cards.GetStyleAsync("discord", "c1", None));
        Assert.Equal(CardStyle.Plain, await db.Cards.GetStyleAsync("slack", "C2", None));
        Assert.Equal(CardStyle.Card, await db.Cards.GetStyleAsync("discord", "C2", None)); // styles are per platform and channel
        await db.Cards.SetStyleAsync("discord", "c1", CardStyle.Card, "bob", At, None);
        Assert.Equal(CardStyle.Card, await db.Cards.GetStyleAsync("discord", "c1", None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Start_ThenMessage_TheCardIsFoundByChannelCaseAndById_AndARetryOfTheSamePostKeepsIt(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var alert = Alert("delivery-1");

        var started = await db.Cards.StartAsync(alert, At, None);
        var retried = await db.Cards.StartAsync(alert with { Attempt = 2 }, At.AddMinutes(1), None);
        var beforeMessage = await db.Cards.FindAsync("discord", "c1", alert.Case.Key, None);
        await db.Cards.SetMessageAsync(started.CardId, "m-1", None);
        var found = await db.Cards.FindAsync("discord", "c1", alert.Case.Key, None);
        var byId = await db.Cards.FindByIdAsync(started.CardId, None);

        Assert.Equal(started.CardId, retried.CardId);
        Assert.Equal(12, started.CardId.Length);
        Assert.Null(beforeMessage!.MessageId);
        Assert.Equal("m-1", found!.MessageId);
        Assert.Equal("delivery-1", found.DeliveryId);
        Assert.Equal(CaseStatus.Released, found.LastAlert.NewStatus);
        Assert.Equal(CaseStatus.Detained, found.LastAlert.OldStatus);
        Assert.Equal(new DateOnly(2024, 12, 1), found.LastAlert.OldStatusSince);
        Assert.Equal(found.CardId, byId!.CardId);
        Assert.Null(await db.Cards.FindAsync("discord", "c2", alert.Case.Key, None));
        Assert.Null(await db.Cards.FindByIdAsync("nope", None));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AMessageIdNeverStored_IsReadFromTheOutboxRowThatPostedTheCard_OnceThatRowIsSent(string provider)
    {
        // The crash between "card posted" and "card stored": the resend finds the post (nonce or probe) and marks the
        // outbox row sent with the message id; the card's id then comes from there.
        await using var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(At, original), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("discord", "c1", Make.Source, "a", "admin", At), None);
        db.AdvanceTo(At.AddHours(1));
        await db.Cases.ApplyAsync(Make.Plan(At.AddHours(1), Make.StatusChange(original with { Status = CaseStatus.Released }, CaseStatus.Detained)), None);
        var term = await db.Outbox.BeginTermAsync(None);
        var row = Assert.Single((await db.Outbox.ClaimAsync(new ClaimRequest(term, "me", TimeSpan.FromMinutes(2), 10, ["discord"]), None)).Items);

        var card = await db.Cards.StartAsync(row.Alert!, At.AddHours(1), None);
        var whileSending = await db.Cards.FindAsync("discord", "c1", card.Case, None);
        Assert.True(await db.Outbox.MarkSentAsync(row.DeliveryId, term, "m-77", None));
        var afterSent = await db.Cards.FindAsync("discord", "c1", card.Case, None);

        Assert.Null(whileSending!.MessageId);
        Assert.Equal("m-77", afterSent!.MessageId);
        Assert.Equal(row.DeliveryId, afterSent.DeliveryId);
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task TheFirstAlertAboutACaseInACardedChannel_StartsItsCardInTheSameTransaction_NotInAPlainChannelNorTheConsole(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var original = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(At, original), None);
        foreach (var (platform, channel) in new[] { ("discord", "c1"), ("slack", "C2"), ("slack", "C3"), ("console", "console") })
            await db.Watchlists.AddAsync(new WatchlistEntry(platform, channel, Make.Source, "a", "admin", At), None);
        await db.Cards.SetStyleAsync("slack", "C3", CardStyle.Plain, "admin", At, None);
        db.AdvanceTo(At.AddHours(1));

        await db.Cases.ApplyAsync(Make.Plan(At.AddHours(1), Make.StatusChange(original with { Status = CaseStatus.Charged }, CaseStatus.Detained)), None);
        await db.Cases.ApplyAsync(Make.Plan(At.AddHours(2), Make.StatusChange(original with { Status = CaseStatus.Released }, CaseStatus.Charged)), None);

        var discord = await db.Cards.FindAsync("discord", "c1", original.Key, None);
        Assert.NotNull(discord);
        Assert.Null(discord.MessageId);
        Assert.Equal(CaseStatus.Charged, discord.LastAlert.NewStatus); // the first change starts the card; later ones edit it
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM alert_outbox WHERE channel_id = 'c1'"));
        Assert.Equal(discord.DeliveryId, (await db.TextAsync($"SELECT delivery_id FROM alert_outbox WHERE channel_id = 'c1' AND payload_json LIKE '%\"newStatus\":\"charged\"%'"))!);
        Assert.NotNull(await db.Cards.FindAsync("slack", "C2", original.Key, None));
        Assert.Null(await db.Cards.FindAsync("slack", "C3", original.Key, None));
        Assert.Equal(2, await db.CountAsync("SELECT COUNT(*) FROM case_cards"));
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task ForgetMessage_ADeletedCardIsNotFoundAgain_AndTheNextStartIsANewCard(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var card = await db.Cards.StartAsync(Alert("delivery-1"), At, None);
        await db.Cards.SetMessageAsync(card.CardId, "m-1", None);
        await db.Cards.SetAcknowledgementAsync(card.CardId, new CardAcknowledgement("u1", "Dana", At), At, None);

        Assert.Equal(0, await db.Cards.ForgetMessageAsync("discord", "c1", "m-other", None));
        Assert.Equal(1, await db.Cards.ForgetMessageAsync("discord", "c1", "m-1", None));
        var forgotten = await db.Cards.FindAsync("discord", "c1", card.Case, None);
        var next = await db.Cards.StartAsync(Alert("delivery-2"), At.AddHours(1), None);

        Assert.Null(forgotten!.MessageId);
        Assert.NotEqual("delivery-1", forgotten.DeliveryId); // a retry of the old post could not claim the old card
        Assert.NotEqual(card.CardId, next.CardId);
        Assert.Null(next.Acknowledgement);
        Assert.Null(await db.Cards.FindByIdAsync(card.CardId, None)); // old buttons lead nowhere
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Acknowledgement_SetThenCleared_AndLastAlertUpdated(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var card = await db.Cards.StartAsync(Alert("delivery-1"), At, None);

        await db.Cards.SetAcknowledgementAsync(card.CardId, new CardAcknowledgement("u1", "Dana (desk)", At.AddMinutes(5)), At.AddMinutes(5), None);
        var acknowledged = await db.Cards.FindByIdAsync(card.CardId, None);
        await db.Cards.SetLastAlertAsync(card.CardId, Alert("delivery-2", from: CaseStatus.Released, to: CaseStatus.Detained), At.AddHours(1), None);
        await db.Cards.SetAcknowledgementAsync(card.CardId, null, At.AddHours(2), None);
        var cleared = await db.Cards.FindByIdAsync(card.CardId, None);

        Assert.Equal(new CardAcknowledgement("u1", "Dana (desk)", At.AddMinutes(5)), acknowledged!.Acknowledgement);
        Assert.Null(cleared!.Acknowledgement);
        Assert.Equal(CaseStatus.Detained, cleared.LastAlert.NewStatus);
        Assert.Equal("delivery-1", cleared.DeliveryId); // the card's own post stays its delivery
    }

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task Mute_RunsUntilItsEnd_IsReplacedByANewerMute_AndUnmuteEndsIt(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var key = new CaseKey(Make.Source, "a");
        await db.Cards.MuteAsync(new CaseMute("slack", "C1", key, At.AddHours(24), "U1", "Dana", At), None);

        var running = await db.Cards.FindMuteAsync("slack", "C1", key, At.AddHours(23), None);
        var ended = await db.Cards.FindMuteAsync("slack", "C1", key, At.AddHours(24), None);
        var otherChannel = await db.Cards.FindMuteAsync("slack", "C2", key, At, None);
        await db.Cards.MuteAsync(new CaseMute("slack", "C1", key, At.AddHours(48), "U2", "Lee", At.AddHours(1)), None);
        var extended = await db.Cards.FindMuteAsync("slack", "C1", key, At.AddHours(30), None);
        var unmuted = await db.Cards.UnmuteAsync("slack", "C1", key, At.AddHours(31), None);
        var unmutedAgain = await db.Cards.UnmuteAsync("slack", "C1", key, At.AddHours(31), None);

        Assert.Equal("Dana", running!.SetByName);
        Assert.Null(ended);
        Assert.Null(otherChannel);
        Assert.Equal(("Lee", At.AddHours(48)), (extended!.SetByName, extended.Until));
        Assert.True(unmuted);
        Assert.False(unmutedAgain);
        Assert.Null(await db.Cards.FindMuteAsync("slack", "C1", key, At.AddHours(31), None));
    }
}

/// <summary>What /watchlist list reads: the stored style with who set it, and the running mutes, soonest end first.</summary>
public sealed class ChannelSettingsListingTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task StyleSettingAndMutes_AreListedWithWhoAndWhen(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        Assert.Null(await db.Cards.GetStyleSettingAsync("slack", "C1", None));
        await db.Cards.SetStyleAsync("slack", "C1", CardStyle.Plain, "Dana (U1)", At, None);
        await db.Cards.MuteAsync(new CaseMute("slack", "C1", new CaseKey(Make.Source, "b"), At.AddHours(48), "U1", "Dana", At), None);
        await db.Cards.MuteAsync(new CaseMute("slack", "C1", new CaseKey(Make.Source, "a"), At.AddHours(24), "U2", "Lee", At), None);
        await db.Cards.MuteAsync(new CaseMute("slack", "C1", new CaseKey(Make.Source, "c"), At.AddHours(1), "U2", "Lee", At), None);
        await db.Cards.MuteAsync(new CaseMute("slack", "C2", new CaseKey(Make.Source, "a"), At.AddHours(24), "U2", "Lee", At), None);

        var style = await db.Cards.GetStyleSettingAsync("slack", "C1", None);
        var mutes = await db.Cards.ListMutesAsync("slack", "C1", At.AddHours(2), None);

        Assert.Equal(new ChannelStyle(CardStyle.Plain, "Dana (U1)", At), style);
        Assert.Equal(["a", "b"], mutes.Select(m => m.Case.Id)); // c ended; C2 is another channel
        Assert.Equal(("Lee", At.AddHours(24)), (mutes[0].SetByName, mutes[0].Until));
    }
}

/// <summary>Mutes that end (by time or by unmute) stay until their summary is queued; a channel-wide mute covers every case.</summary>
public sealed class MuteEndTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset At = TestDatabase.Start;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task EndedMutes_AreListedUntilSummarized_AChannelMuteCoversEveryCase_AndWithheldAlertsAreFoundForTheSummary(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var a = new CaseKey(Make.Source, "a");
        await db.Cards.MuteAsync(new CaseMute("slack", "C1", a, At.AddHours(24), "U1", "Dana", At), None);
        await db.Cards.MuteAsync(new CaseMute("slack", "C2", CaseMute.AllCases, At.AddHours(1), "U1", "Dana", At), None);

        Assert.Equal(CaseMute.AllCases, (await db.Cards.FindMuteAsync("slack", "C2", new CaseKey(Make.Source, "zzz"), At.AddMinutes(5), None))!.Case);
        Assert.True(await db.Cards.UnmuteAsync("slack", "C1", a, At.AddHours(2), None));
        var ended = await db.Cards.ListEndedUnsummarizedAsync(At.AddHours(3), 10, None);
        Assert.Equal(["C2", "C1"], ended.Select(m => m.ChannelId)); // by end time
        Assert.Equal(At.AddHours(2), ended[1].Until);
        await db.Cards.MarkSummarizedAsync(ended[1], At.AddHours(3), None);
        Assert.Equal(["C2"], (await db.Cards.ListEndedUnsummarizedAsync(At.AddHours(3), 10, None)).Select(m => m.ChannelId));

        // A withheld alert of C1's case, as the dispatcher marks it, is what the summary lists.
        var original = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(At, original), None);
        await db.Watchlists.AddAsync(new WatchlistEntry("slack", "C1", Make.Source, "a", "admin", At), None);
        db.AdvanceTo(At.AddMinutes(30));
        await db.Cases.ApplyAsync(Make.Plan(At.AddMinutes(30), Make.StatusChange(original with { Status = CaseStatus.Released }, CaseStatus.Detained)), None);
        var term = await db.Outbox.BeginTermAsync(None);
        var row = Assert.Single((await db.Outbox.ClaimAsync(new ClaimRequest(term, "me", TimeSpan.FromMinutes(2), 10, ["slack"]), None)).Items);
        await db.Outbox.MarkSentAsync(row.DeliveryId, term, IAlertOutbox.WithheldExternalId, None);

        var withheld = await db.Outbox.ListWithheldAsync("slack", "C1", a, At, At.AddHours(2), 10, None);
        Assert.Equal(CaseStatus.Released, Assert.Single(withheld).NewStatus);
        Assert.Empty(await db.Outbox.ListWithheldAsync("slack", "C1", a, At.AddHours(1), At.AddHours(2), 10, None));
    }
}

/// <summary>Statuses set by hand: who set it and why in the history, and the feed's own value kept until the feed changes it.</summary>
public sealed class ManualStatusStoreTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(Providers.All), MemberType = typeof(Providers))]
    public async Task AManualStatus_IsStoredWithWhoSetIt_KeepsTheFeedsValue_AndAlertsTheWatchers(string provider)
    {
        await using var db = await TestDatabase.CreateAsync(provider);
        var detained = Make.Case("a", CaseStatus.Detained);
        await db.Cases.ApplyAsync(Make.Baseline(TestDatabase.Start, detained), None);
        await db.Watchlists.AddAsync(new Core.Watchlists.WatchlistEntry("slack", "C1", Make.Source, "a", "admin", TestDatabase.Start), None);
        var edit = new ManualEdit("Dana (U1)", "slack", "freed this morning", "https://news.example.org/a");
        var at = TestDatabase.Start.AddHours(1);
        db.AdvanceTo(at);

        var result = await db.Cases.ApplyAsync(Make.Plan(at, new Core.Sync.CaseUpsert(detained with { Status = CaseStatus.Released }, Core.Changes.ChangeKind.StatusChanged,
            CaseStatus.Detained, null, FeedStatus: CaseStatus.Detained, Manual: edit)), None);
        var history = await db.Cases.GetHistoryAsync(detained.Key, 10, None);
        var loaded = Assert.Single((await db.Cases.LoadAsync(None)).Cases);

        Assert.Equal(1, result.AlertsQueued);
        Assert.Equal((ManualEdit.Source, edit), (history[0].Source, history[0].Manual));
        Assert.Equal((Make.Source, (ManualEdit?)null), (history[1].Source, history[1].Manual));
        Assert.Equal((CaseStatus.Released, CaseStatus.Detained), (loaded.Case.Status, loaded.FeedStatus));

        // The feed changes its own value: its status wins and the manual status ends.
        db.AdvanceTo(at.AddHours(1));
        await db.Cases.ApplyAsync(Make.Plan(at.AddHours(1), new Core.Sync.CaseUpsert(detained with { Status = CaseStatus.Charged }, Core.Changes.ChangeKind.StatusChanged,
            CaseStatus.Released, EndsManualStatus: true)), None);
        var after = Assert.Single((await db.Cases.LoadAsync(None)).Cases);
        Assert.Equal((CaseStatus.Charged, (CaseStatus?)null), (after.Case.Status, after.FeedStatus));
    }
}
