using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Search;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using DetaineeAlertBot.Core.Tests.Fakes;
using DetaineeAlertBot.Core.Watchlists;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using static DetaineeAlertBot.Core.Tests.TestData;

namespace DetaineeAlertBot.Core.Tests.Commands;

public class CommandTests
{
    private static readonly CaseRecord Amiry = Case("af-2024-0012", CaseStatus.Released, "Amir Amiry", "state-dept-feed") with
    {
        Aliases = ["Amir Amiri"], HeldBy = "Taliban", Nationality = "US", StatusSince = new DateOnly(2026, 11, 22),
    };
    private static readonly CaseRecord Amini = Case("ir-1", CaseStatus.Detained, "Amir Amini", "state-dept-feed") with { Country = "Iran" };

    private readonly Mock<ICaseSearch> _search = new();
    private readonly Mock<ICaseStore> _store = new();
    private readonly InMemoryWatchlistStore _watchlists = new();
    private readonly DetaineeAlertBot.Core.Tests.Fakes.InMemoryRuleStore _rules = new();
    private readonly DetaineeAlertBot.Core.Tests.Fakes.InMemoryCardStore _cards = new();
    private readonly DetaineeAlertBot.Core.Tests.Fakes.InMemoryDigestStore _digests = new();
    // Strict: a test that reaches the outbox unasked fails (BotCommands answers such a failure with an error reply).
    private readonly Mock<IAlertOutbox> _outbox = new(MockBehavior.Strict);
    private readonly BotCommands _commands;

    public CommandTests()
    {
        var catalog = Catalog(_search, Stored(Amiry), Stored(Amini));
        var time = new FakeTimeProvider(Now);
        _commands = new BotCommands(new CaseCommands(catalog, _store.Object), new WatchlistCommands(catalog, _watchlists, _cards, _rules, new Core.Cards.MuteSummaries(_cards, new InMemoryAlertOutbox(time), catalog, time, NullLogger<Core.Cards.MuteSummaries>.Instance), _digests, new Core.Digests.DigestRunner(_digests, _watchlists, _rules, catalog, time, NullLogger<Core.Digests.DigestRunner>.Instance), time), new AlertCommands(_outbox.Object), catalog, NullLogger<BotCommands>.Instance);
    }

    private static CommandContext Admin => new("discord", "chan-1", "u1", "lead", IsAdmin: true);

    private static CommandContext Member => new("discord", "chan-1", "u2", "reporter", IsAdmin: false);

    private void SearchReturns(SearchOutcome outcome, params SearchHit[] hits) =>
        _search.Setup(s => s.Search(It.IsAny<string>(), It.IsAny<int>())).Returns(new SearchResult(outcome, outcome == SearchOutcome.NoMatch ? [] : hits, outcome == SearchOutcome.NoMatch ? hits : []));

    private static SearchHit Hit(CaseRecord record, double score, MatchKind kind, string explanation = "") => new(record.Key, record.Name, score, kind, null, explanation);

    private Task<CommandReply> Run(string command, string sub, string? query, CommandContext? context = null) =>
        _commands.ExecuteAsync(new CommandRequest(command, sub, query), context ?? Member, CancellationToken.None);

    [Fact]
    public async Task Lookup_MisspeltName_AnswersLikeTheProductDoc()
    {
        SearchReturns(SearchOutcome.Match, Hit(Amiry, 0.93, MatchKind.Alias, "matched alias Amir Amiri"), Hit(Amini, 0.7, MatchKind.Fuzzy));
        _store.Setup(s => s.GetHistoryAsync(Amiry.Key, It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(
        [
            new StatusHistoryEntry(Amiry.Key, CaseStatus.Detained, CaseStatus.Released, new DateOnly(2026, 11, 22), Now, "state-dept-feed"),
            new StatusHistoryEntry(Amiry.Key, null, CaseStatus.Detained, new DateOnly(2024, 12, 1), Now.AddDays(-300), "state-dept-feed"),
        ]);

        var reply = await Run("case", "lookup", "amir amiri");

        Assert.Equal("Amir Amiry (also: Amir Amiri) — Released since 2026-11-22", reply.Title);
        Assert.Contains("Afghanistan · held by Taliban from 2024-12-01 · US national", reply.Text);
        Assert.Contains("source: state-dept-feed · case af-2024-0012", reply.Text);
        Assert.Contains("Matched: matched alias Amir Amiri", reply.Text);
        Assert.Contains("Other matches: Amir Amini (Detained, Iran)", reply.Text);
        Assert.True(reply.Ephemeral);
    }

    [Fact]
    public async Task Lookup_NoDetentionInHistory_SaysHeldByWithoutADate()
    {
        _store.Setup(s => s.GetHistoryAsync(Amiry.Key, It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(
            [new StatusHistoryEntry(Amiry.Key, null, CaseStatus.Released, new DateOnly(2026, 11, 22), Now, "state-dept-feed")]);

        var reply = await Run("case", "lookup", "state-dept-feed:af-2024-0012");

        Assert.Contains("Afghanistan · held by Taliban · US national", reply.Text);
    }

    [Fact]
    public async Task Lookup_StoreUnreachable_StillAnswersFromMemory()
    {
        _store.Setup(s => s.GetHistoryAsync(It.IsAny<CaseKey>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("db gone"));

        var reply = await Run("case", "lookup", "state-dept-feed:af-2024-0012");

        Assert.Equal(ReplyTone.Info, reply.Tone);
        Assert.Contains("held by Taliban · US national", reply.Text);
    }

    [Fact]
    public async Task Lookup_ExactCaseKey_SkipsSearch()
    {
        var reply = await Run("case", "lookup", "state-dept-feed:ir-1");

        Assert.StartsWith("Amir Amini — Detained", reply.Title);
        _search.Verify(s => s.Search(It.IsAny<string>(), It.IsAny<int>()), Times.Never);
    }

    [Fact]
    public async Task Lookup_NoMatch_SaysSoAndOffersNearestNames()
    {
        SearchReturns(SearchOutcome.NoMatch, Hit(Amini, 0.3, MatchKind.Fuzzy), Hit(Amiry, 0.25, MatchKind.Fuzzy));

        var reply = await Run("case", "lookup", "zzyzx");

        Assert.Equal("No case matches “zzyzx”", reply.Title);
        Assert.Equal("Nearest names: Amir Amini (Detained, Iran); Amir Amiry (Released, Afghanistan).", reply.Text);
    }

    [Fact]
    public async Task Lookup_Ambiguous_ListsCandidatesWithIds()
    {
        SearchReturns(SearchOutcome.Ambiguous, Hit(Amiry, 0.8, MatchKind.Partial), Hit(Amini, 0.8, MatchKind.Partial));

        var reply = await Run("case", "lookup", "amir");

        Assert.Equal("Several cases match “amir”", reply.Title);
        Assert.Contains("id state-dept-feed:af-2024-0012", reply.Text);
        Assert.Contains("id state-dept-feed:ir-1", reply.Text);
    }

    [Fact]
    public async Task History_ListsTimelineNewestFirst()
    {
        _store.Setup(s => s.GetHistoryAsync(Amiry.Key, It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync(
        [
            new StatusHistoryEntry(Amiry.Key, CaseStatus.Detained, CaseStatus.Released, new DateOnly(2026, 11, 22), Now, "state-dept-feed"),
            new StatusHistoryEntry(Amiry.Key, null, CaseStatus.Detained, new DateOnly(2024, 12, 1), Now.AddDays(-300), "state-dept-feed"),
        ]);

        var reply = await Run("case", "history", "af-2024-0012");

        Assert.Equal("History of Amir Amiry — case af-2024-0012 (source state-dept-feed), newest first", reply.Title);
        var lines = reply.Text.Split('\n');
        Assert.Equal("• 2026-11-22 Detained -> Released — observed 2026-11-22 10:04 UTC, source state-dept-feed", lines[0]);
        Assert.StartsWith("• 2024-12-01 Detained (first seen)", lines[1]);
    }

    [Fact]
    public async Task WatchlistAdd_NonAdmin_IsPolitelyRefusedAndChangesNothing()
    {
        var reply = await Run("watchlist", "add", "af-2024-0012", Member);

        Assert.Equal(ReplyTone.Refusal, reply.Tone);
        Assert.True(reply.Ephemeral);
        Assert.Equal("Only admins can change this channel's watchlist (ask someone with Manage Server).", reply.Text);
        Assert.Empty(_watchlists.Entries);
    }

    [Fact]
    public async Task WatchlistAdd_Admin_BindsCaseToThisChannelAndSaysWhich()
    {
        var reply = await Run("watchlist", "add", "af-2024-0012", Admin);

        Assert.Equal(ReplyTone.Success, reply.Tone);
        Assert.Contains("Amir Amiry (Released, Afghanistan) — case af-2024-0012 (source state-dept-feed)", reply.Text);
        var entry = Assert.Single(_watchlists.Entries);
        Assert.Equal(("discord", "chan-1", "state-dept-feed", "af-2024-0012", "lead (u1)"), (entry.Platform, entry.ChannelId, entry.CaseSource, entry.CaseId, entry.AddedBy));
    }

    [Fact]
    public async Task WatchlistAdd_LowConfidenceMatch_AsksForIdAndBindsNothing()
    {
        SearchReturns(SearchOutcome.Match, Hit(Amiry, 0.6, MatchKind.Fuzzy, "close spelling of Amir Amiry"));

        var reply = await Run("watchlist", "add", "amr amry", Admin);

        Assert.Equal("Not sure which case “amr amry” means", reply.Title);
        Assert.Contains("Nothing was changed", reply.Text);
        Assert.Empty(_watchlists.Entries);
    }

    [Fact]
    public async Task WatchlistAdd_Twice_SaysAlreadyFollowed()
    {
        await Run("watchlist", "add", "af-2024-0012", Admin);

        var reply = await Run("watchlist", "add", "af-2024-0012", Admin);

        Assert.StartsWith("This channel already follows Amir Amiry", reply.Text);
        Assert.Single(_watchlists.Entries);
    }

    [Fact]
    public async Task WatchlistList_ShowsWhoAddedWhat()
    {
        await Run("watchlist", "add", "af-2024-0012", Admin);

        var reply = await Run("watchlist", "list", null, Member);

        Assert.Equal("This channel follows 1 case", reply.Title);
        Assert.Equal("• Amir Amiry (Released, Afghanistan) — case af-2024-0012 (source state-dept-feed), added by lead (u1) on 2026-11-22\nDigest: off (each change is posted at once; the default)\nStyle: card (the default)", reply.Text);
    }

    [Fact]
    public async Task WatchlistList_ShowsRulesWithIds_MutesUntilWhen_AndTheStyle_WithWhoSetEach()
    {
        await Run("watchlist", "add", "af-2024-0012", Admin);
        await Run("watchlist", "follow", "country:Iran status:detained, charged", Admin);
        await Run("watchlist", "style", "plain", Admin);
        await _cards.MuteAsync(new Core.Cards.CaseMute("discord", "chan-1", Amiry.Key, Now.AddHours(24), "u1", "lead", Now), CancellationToken.None);

        var reply = await Run("watchlist", "list", null, Member);

        Assert.Equal("This channel follows 1 case and 1 rule", reply.Title);
        Assert.Contains("• rule 1: country Iran · status detained, charged, added by lead (u1) on 2026-11-22", reply.Text, StringComparison.Ordinal);
        Assert.Contains("• muted: Amir Amiry (case af-2024-0012 (source state-dept-feed)) until 2026-11-23 10:04 UTC, by lead on 2026-11-22", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Style: plain", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchlistDigest_SetsTheSchedule_ListShowsIt_AndMembersAreRefused()
    {
        var refused = await Run("watchlist", "digest", "daily 09:00 Europe/Berlin", Member);
        Assert.Contains("Only admins", refused.Text, StringComparison.Ordinal);
        Assert.Null(await _digests.GetAsync("discord", "chan-1", CancellationToken.None));

        var set = await Run("watchlist", "digest", "daily 09:00 Europe/Berlin", Admin);
        Assert.Equal("This channel now gets a digest every day at 09:00 (Europe/Berlin)", set.Title);
        // Now is 2026-11-22 10:04 UTC (11:04 in Berlin): the next 09:00 there is tomorrow's, 08:00 UTC.
        Assert.Contains("The next is due 2026-11-23 08:00 UTC.", set.Text, StringComparison.Ordinal);

        var list = await Run("watchlist", "list", null, Member);
        Assert.Contains("Digest: daily 09:00 Europe/Berlin, set by lead (u1) on 2026-11-22; next 2026-11-23 08:00 UTC", list.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchlistDigest_BadSchedule_SaysWhatIsWrong_AndChangesNothing()
    {
        var reply = await Run("watchlist", "digest", "daily 09:00 Mars/Olympus", Admin);
        Assert.Equal("'Mars/Olympus' is not an IANA time zone; write one such as UTC, Europe/Berlin, America/New_York or Asia/Kabul. Nothing was changed.", reply.Text);
        Assert.Null(await _digests.GetAsync("discord", "chan-1", CancellationToken.None));
    }

    [Fact]
    public async Task WatchlistDigestOff_PostsWhatWasCollected_AsOneLastDigest()
    {
        await Run("watchlist", "digest", "weekly mon 08:00 UTC", Admin);
        _digests.Collect(new Core.Alerts.AlertMessage("d1", "discord", "chan-1", Amini, CaseStatus.Detained, CaseStatus.Charged, Now, 1));

        var off = await Run("watchlist", "digest", "off", Admin);

        Assert.Equal("Digests are off in this channel", off.Title);
        Assert.StartsWith("The 1 change collected since the last digest follow as one last digest.", off.Text, StringComparison.Ordinal);
        Assert.Contains("Amir Amini: Detained → Charged", Assert.Single(_digests.Queued).Report.Lines[1], StringComparison.Ordinal);
        Assert.Contains("Digest: off, set by lead (u1)", (await Run("watchlist", "list", null, Member)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchlistRemove_SeededByIdOnly_IsRemoved()
    {
        await _watchlists.SeedAsync([new WatchlistEntry("discord", "chan-1", WatchlistEntry.AnySource, "af-2024-0012", "config", Now)], CancellationToken.None);

        var reply = await Run("watchlist", "remove", "af-2024-0012", Admin);

        Assert.Equal(ReplyTone.Success, reply.Tone);
        Assert.Empty(await _watchlists.ListAsync("discord", "chan-1", CancellationToken.None));
    }

    [Theory]
    [InlineData("case", "frobnicate", "Unknown subcommand 'frobnicate'.\nUsage: /case lookup")]
    [InlineData("watchlist", "nuke", "Unknown subcommand 'nuke'.\nUsage: /watchlist add")]
    [InlineData("alerts", "lookup", "Unknown subcommand 'lookup'.\nUsage: /alerts status")]
    [InlineData("other", "lookup", "Unknown command 'other lookup'. This bot only answers /case, /watchlist and /alerts.")]
    [InlineData("case", "help", "Usage: /case lookup")]
    [InlineData("alerts", "", "Usage: /alerts status")]
    public async Task UnknownOrHelp_GetsUsage(string command, string sub, string expected)
    {
        var reply = await Run(command, sub, null);

        Assert.StartsWith(expected, reply.Text);
    }

    public static TheoryData<string, string> AdminOnly()
    {
        var rows = new TheoryData<string, string>();
        foreach (var command in CommandTable.All)
        {
            foreach (var subcommand in command.Subcommands.Where(s => s.AdminOnly))
            {
                rows.Add(command.Name, subcommand.Name);
            }
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(AdminOnly))]
    public async Task AdminOnlySubcommand_Member_RefusedWithTheTablesWordsBeforeAnythingRuns(string command, string sub)
    {
        var reply = await Run(command, sub, "af-2024-0012", Member);

        Assert.Equal(ReplyTone.Refusal, reply.Tone);
        Assert.Equal(CommandTable.Find(command, sub)!.AdminRefusal!(Platforms.Discord), reply.Text);
        Assert.Empty(_watchlists.Entries);
        _search.Verify(s => s.Search(It.IsAny<string>(), It.IsAny<int>()), Times.Never());
    }

    [Fact]
    public async Task AlertsDead_Admin_IsNotRefused()
    {
        _outbox.Setup(o => o.ListDeadAsync(It.IsAny<int>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);

        var reply = await Run("alerts", "dead", null, Admin);

        Assert.Equal(("Dead letters", ReplyTone.Success), (reply.Title, reply.Tone));
    }

    [Fact]
    public void Usage_EveryCommand_NamesEachSubcommandAndMarksTheAdminOnesOnly()
    {
        foreach (var command in CommandTable.All)
        {
            var usage = command.Usage().Split('\n')[0]["Usage: ".Length..].Split(" · ");

            Assert.Equal(command.Subcommands.Select(s => s.Name).Append(CommandTable.Help), usage.Select(form => form.Split(' ')[1]));
            Assert.Equal(command.Subcommands.Select(s => s.AdminOnly).Append(false), usage.Select(form => form.EndsWith(" (admins)", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Execute_HandlerThrows_GetsPoliteErrorNotStackTrace()
    {
        _store.Setup(s => s.GetHistoryAsync(It.IsAny<CaseKey>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("db gone"));

        var reply = await Run("case", "history", "af-2024-0012");

        Assert.Equal(ReplyTone.Error, reply.Tone);
        Assert.DoesNotContain("db gone", reply.Text);
        Assert.Contains("nothing was changed", reply.Text);
    }
}
