using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Search;

namespace DetaineeAlertBot.Search.Tests;

public sealed class CaseSearchIndexTests
{
    private static CaseRecord Case(string source, string id, string name, params string[] aliases) => new()
    {
        Source = source,
        Id = id,
        Name = name,
        Aliases = aliases,
        Status = CaseStatus.Detained,
    };

    private static readonly CaseRecord AmirAmiry = Case("state-dept-feed", "af-2024-0012", "Amir Amiry", "Amir Amiri");
    private static readonly CaseRecord AmirAmini = Case("hrw", "ir-017", "Amir Amini");
    private static readonly CaseRecord AmiraAmiri = Case("hrw", "eg-044", "Amira Amiri");
    private static readonly CaseRecord Belyakov = Case("memorial", "ru-0451", "Sergei Belyakov");
    private static readonly CaseRecord YoussefHaddad = Case("hrw", "sy-108", "Youssef Haddad");
    private static readonly CaseRecord SalmaHaddad = Case("hrw", "sy-109", "Salma Haddad");
    private static readonly CaseRecord Sarhan = Case("hrw", "eg-001", "Mohammed Sarhan");

    private static string SearchEvaluationDescribe(SearchResult result) => DetaineeAlertBot.Search.Evaluation.SearchEvaluation.Describe(result);

    private static CaseSearchIndex Index(params CaseRecord[] cases)
    {
        var index = new CaseSearchIndex();
        index.Rebuild(cases.Length > 0 ? cases : [AmirAmiry, AmirAmini, AmiraAmiri, Belyakov, YoussefHaddad, SalmaHaddad, Sarhan]);
        return index;
    }

    [Fact]
    public void Search_ExactName_IsExactWithoutExplanation()
    {
        var result = Index().Search("Sergei Belyakov");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        var hit = result.Hits[0];
        Assert.Equal(Belyakov.Key, hit.Key);
        Assert.Equal(MatchKind.Exact, hit.Kind);
        Assert.Equal("", hit.Explanation);
        Assert.Null(hit.MatchedText);
        Assert.Equal(1.0, hit.Score);
    }

    [Fact]
    public void Search_ProductExample_AnswersAmiryByAliasAndListsOtherMatches()
    {
        // product.md: "/case lookup amir amiri" answers Amir Amiry (also: Amir Amiri), other matches Amini and Amira Amiri.
        var result = Index().Search("amir amiri");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(AmirAmiry.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Alias, result.Hits[0].Kind);
        Assert.Equal("Amir Amiri", result.Hits[0].MatchedText);
        Assert.Equal("matched alias Amir Amiri", result.Hits[0].Explanation);
        Assert.Contains(result.Hits.Skip(1), h => h.Key == AmirAmini.Key);
        Assert.Contains(result.Hits.Skip(1), h => h.Key == AmiraAmiri.Key);
    }

    [Fact]
    public void Search_OtherScript_ExplainsTransliteration()
    {
        var result = Index().Search("Сергей Беляков");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(Belyakov.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Transliteration, result.Hits[0].Kind);
        Assert.Equal("matched transliteration of Сергей Беляков", result.Hits[0].Explanation);
    }

    [Fact]
    public void Search_ArabicScript_FindsLatinFeedName()
    {
        var result = Index().Search("محمد سرحان");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(Sarhan.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Transliteration, result.Hits[0].Kind);
    }

    [Fact]
    public void Search_AliasInOtherScript_MatchesLatinQuery()
    {
        var index = Index(Case("memorial", "ru-9", "Сергей Беляков"), AmirAmini);

        var result = index.Search("Sergei Belyakov");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(MatchKind.Transliteration, result.Hits[0].Kind);
        Assert.Equal("matched transliteration of Сергей Беляков", result.Hits[0].Explanation);
    }

    [Theory]
    // An alias kept in Arabic script is found from the same script and from Latin spellings.
    [InlineData("محمد سرحان")]
    [InlineData("Muhammad Sarhan")]
    [InlineData("Mohamed Sarhaan")]
    public void Search_ArabicScriptAlias_IsFound(string query)
    {
        var index = Index(Case("hrw", "eg-9", "M. Sarhan", "محمد سرحان"), AmirAmini, Belyakov);

        var result = index.Search(query);

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal("hrw:eg-9", result.Hits[0].Key.ToString());
        Assert.Equal(MatchKind.Transliteration, result.Hits[0].Kind);
    }

    [Fact]
    public void Search_TransliterationVariant_IsPhoneticWithExplanation()
    {
        var result = Index().Search("Muhammad Sarhan");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(Sarhan.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Phonetic, result.Hits[0].Kind);
        Assert.Equal("spelling variant of Mohammed Sarhan", result.Hits[0].Explanation);
    }

    [Fact]
    public void Search_Typo_IsFuzzyCloseSpelling()
    {
        var result = Index().Search("Sergei Beljakow");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(Belyakov.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Fuzzy, result.Hits[0].Kind);
        Assert.Equal("close spelling of Sergei Belyakov", result.Hits[0].Explanation);
    }

    [Fact]
    public void Search_DiacriticsAndCase_AreNormalized()
    {
        var index = Index(Case("amnesty", "de-1", "Jürgen Weissmüller"), AmirAmini);

        var result = index.Search("JURGEN WEISSMULLER");

        Assert.Equal(MatchKind.Normalized, result.Hits[0].Kind);
        Assert.Equal("matched Jürgen Weissmüller ignoring case, accents and punctuation", result.Hits[0].Explanation);
    }

    [Fact]
    public void Search_WordOrderSwapped_MatchesAndSaysSo()
    {
        var result = Index().Search("Belyakov Sergei");

        Assert.Equal(Belyakov.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Normalized, result.Hits[0].Kind);
        Assert.Contains("another order", result.Hits[0].Explanation);
    }

    [Fact]
    public void Search_UniqueFamilyName_IsPartialMatch()
    {
        var result = Index().Search("Belyakov");

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(MatchKind.Partial, result.Hits[0].Kind);
        Assert.Equal("matched part of the name Sergei Belyakov", result.Hits[0].Explanation);
    }

    [Fact]
    public void Search_SharedFamilyName_IsAmbiguousAndListsBoth()
    {
        var result = Index().Search("Haddad");

        Assert.Equal(SearchOutcome.Ambiguous, result.Outcome);
        Assert.Contains(result.Hits, h => h.Key == YoussefHaddad.Key);
        Assert.Contains(result.Hits, h => h.Key == SalmaHaddad.Key);
    }

    [Fact]
    public void Search_SameNameInTwoSources_IsAmbiguous()
    {
        var index = Index(Belyakov, Case("ovd-info", "4471", "Sergei Belyakov"));

        var result = index.Search("Sergei Belyakov");

        Assert.Equal(SearchOutcome.Ambiguous, result.Outcome);
        Assert.Equal(2, result.Hits.Count);
    }

    [Fact]
    public void Search_PersonNotInData_IsNoMatchWithNearestThree()
    {
        var result = Index().Search("Omar Sarhan");

        Assert.Equal(SearchOutcome.NoMatch, result.Outcome);
        Assert.Empty(result.Hits);
        Assert.InRange(result.Nearest.Count, 1, 3);
        Assert.Equal(Sarhan.Key, result.Nearest[0].Key);
    }

    [Fact]
    public void Search_GivenNameOfOneAndFamilyNameOfAnother_IsNoMatch()
    {
        var result = Index().Search("Salma Belyakov");

        Assert.NotEqual(SearchOutcome.Match, result.Outcome);
    }

    [Theory]
    [InlineData("af-2024-0012")]
    [InlineData("state-dept-feed:af-2024-0012")]
    [InlineData("STATE-DEPT-FEED:AF-2024-0012")]
    [InlineData("state-dept-feed: af-2024-0012")]
    public void Search_CaseId_ReturnsCaseWithIdKind(string query)
    {
        var result = Index().Search(query);

        Assert.Equal(SearchOutcome.Match, result.Outcome);
        Assert.Equal(AmirAmiry.Key, result.Hits[0].Key);
        Assert.Equal(MatchKind.Id, result.Hits[0].Kind);
    }

    [Fact]
    public void Search_KeysDifferingOnlyInCase_ResolveExactly()
    {
        var index = Index(Case("hrw", "AB-1", "Amir Amini"), Case("hrw", "ab-1", "Olga Vasilyeva"));

        Assert.Equal("Olga Vasilyeva", index.Search("hrw:ab-1").Hits[0].Name);
        Assert.Equal("Amir Amini", index.Search("hrw:AB-1").Hits[0].Name);
    }

    [Fact]
    public void Search_IdSharedBySources_IsAmbiguous()
    {
        var index = Index(Case("a", "17", "Amir Amini"), Case("b", "17", "Olga Vasilyeva"));

        var result = index.Search("17");

        Assert.Equal(SearchOutcome.Ambiguous, result.Outcome);
        Assert.All(result.Hits, h => Assert.Equal(MatchKind.Id, h.Kind));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("!!!")]
    public void Search_EmptyQuery_IsNoMatch(string query)
    {
        var result = Index().Search(query);

        Assert.Equal(SearchOutcome.NoMatch, result.Outcome);
        Assert.Empty(result.Hits);
    }

    [Fact]
    public void Search_NothingClose_StillOffersNearestBySameStart()
    {
        var result = Index().Search("Bezrukov");

        Assert.Equal(SearchOutcome.NoMatch, result.Outcome);
        Assert.Contains(result.Nearest, h => h.Key == Belyakov.Key);
    }

    [Fact]
    public void Search_VeryLongInput_IsBoundedAndStillAnswers()
    {
        var query = "Sergei Belyakov " + string.Join(' ', Enumerable.Repeat("word", 5_000));

        var result = Index().Search(query);

        // Whatever the outcome, no other person is presented as the answer.
        Assert.True(result.Outcome != SearchOutcome.Match || result.Hits[0].Key == Belyakov.Key, SearchEvaluationDescribe(result));
    }

    [Fact]
    public void Search_EmptyIndex_IsNoMatch()
    {
        var index = new CaseSearchIndex();

        Assert.Equal(SearchOutcome.NoMatch, index.Search("Sergei Belyakov").Outcome);
    }

    [Fact]
    public void Search_MaxResults_LimitsOtherMatches()
    {
        var result = Index().Search("amir amiri", maxResults: 1);

        Assert.Single(result.Hits);
    }

    [Fact]
    public void Upsert_RenamedCase_IsFoundUnderNewNameOnly()
    {
        var index = Index();

        index.Upsert([Belyakov with { Name = "Sergei Belyakov-Orlov", Aliases = ["Serhiy Bieliakov"] }]);

        Assert.Equal(Belyakov.Key, index.Search("Serhiy Bieliakov").Hits[0].Key);
        Assert.Equal(MatchKind.Alias, index.Search("Serhiy Bieliakov").Hits[0].Kind);
        Assert.Equal("Sergei Belyakov-Orlov", index.Search("Sergei Belyakov Orlov").Hits[0].Name);
        Assert.Equal(7, index.Count);
    }

    [Fact]
    public void Upsert_NewCase_IsAddedAndOthersStay()
    {
        var index = Index();

        index.Upsert([Case("memorial", "ru-0470", "Yevgeny Smirnov")]);

        Assert.Equal(SearchOutcome.Match, index.Search("Evgeny Smirnoff").Outcome);
        Assert.Equal(SearchOutcome.Match, index.Search("Sergei Belyakov").Outcome);
        Assert.Equal(8, index.Count);
    }

    [Fact]
    public void Upsert_RemovedAlias_NoLongerMatches()
    {
        var index = Index();

        index.Upsert([AmirAmiry with { Aliases = [] }]);

        var hit = index.Search("amir amiri").Hits[0];
        Assert.NotEqual(MatchKind.Alias, hit.Kind);
    }

    [Fact]
    public void Upsert_ManyTimes_CompactsWithoutLosingCases()
    {
        var index = Index();

        for (var round = 0; round < 400; round++)
            index.Upsert([Belyakov with { Aliases = [$"Alias Number{round}"] }, Sarhan with { Aliases = [$"Other Name{round}"] }, YoussefHaddad, SalmaHaddad]);

        Assert.Equal(7, index.Count);
        var latest = index.Search("Alias Number399");
        Assert.Equal(Belyakov.Key, latest.Hits[0].Key);
        Assert.Equal(MatchKind.Alias, latest.Hits[0].Kind);
        // An alias replaced long ago is gone: nothing answers it as an alias.
        Assert.DoesNotContain(index.Search("Alias Number3").Hits, h => h.Kind == MatchKind.Alias && h.MatchedText == "Alias Number3");
    }

    [Fact]
    public async Task Upsert_DuringRebuild_IsNotLost()
    {
        var index = Index();
        using var started = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        var rebuilding = Task.Run(() => index.Rebuild(Gated([Belyakov, Sarhan], started, proceed)));
        started.Wait(TimeSpan.FromSeconds(30));

        // The rebuild is reading its input; these upserts reach the old index and must survive the swap.
        index.Upsert([Case("late", "1", "Latecomer Person")]);
        index.Upsert([Belyakov with { Aliases = ["Serhiy Bieliakov"] }]);
        proceed.Set();
        await rebuilding;

        Assert.Equal(3, index.Count);
        Assert.Equal(SearchOutcome.Match, index.Search("Latecomer Person").Outcome);
        Assert.Equal(MatchKind.Alias, index.Search("Serhiy Bieliakov").Hits[0].Kind);
        Assert.Equal(SearchOutcome.NoMatch, index.Search("Salma Haddad").Outcome);
    }

    private static IEnumerable<CaseRecord> Gated(CaseRecord[] cases, ManualResetEventSlim started, ManualResetEventSlim proceed)
    {
        started.Set();
        proceed.Wait(TimeSpan.FromSeconds(30));
        foreach (var c in cases) yield return c;
    }

    [Fact]
    public void Rebuild_ReplacesEverything()
    {
        var index = Index();

        index.Rebuild([Case("x", "1", "Olga Vasilyeva")]);

        Assert.Equal(1, index.Count);
        Assert.Equal(SearchOutcome.NoMatch, index.Search("Sergei Belyakov").Outcome);
        Assert.Equal(SearchOutcome.Match, index.Search("Olha Vasylieva").Outcome);
    }

    [Fact]
    public async Task Search_ConcurrentWithUpserts_AlwaysAnswersConsistently()
    {
        var index = Index();
        using var cts = new CancellationTokenSource();
        var errors = 0;

        // Readers must always see either the old or the new state of a case, never a torn index.
        var readers = Enumerable.Range(0, 4).Select(reader => Task.Run(() =>
        {
            while (!cts.IsCancellationRequested)
            {
                var r = index.Search("Sergei Belyakov");
                if (r.Outcome != SearchOutcome.Match || r.Hits[0].Key != Belyakov.Key) Interlocked.Increment(ref errors);
                _ = index.Autocomplete("Serg");
            }
        })).ToArray();
        for (var i = 0; i < 300; i++)
        {
            index.Upsert([Belyakov with { Aliases = [$"Serhiy Bieliakov {i}"] }, Case("bulk", $"b{i}", $"Person Number{i}")]);
            if (i % 100 == 0) index.Rebuild([AmirAmiry, AmirAmini, AmiraAmiri, Belyakov, YoussefHaddad, SalmaHaddad, Sarhan]);
        }
        await cts.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(0, errors);
    }

    [Fact]
    public void Autocomplete_Prefix_SuggestsMatchingCases()
    {
        var hits = Index().Autocomplete("amir am");

        Assert.Contains(hits, h => h.Key == AmirAmiry.Key);
        Assert.Contains(hits, h => h.Key == AmirAmini.Key);
        Assert.Equal(hits.Count, hits.Select(h => h.Key).Distinct().Count());
    }

    [Fact]
    public void Autocomplete_FamilyNamePrefix_Suggests()
    {
        var hits = Index().Autocomplete("Belya");

        Assert.Equal(Belyakov.Key, hits[0].Key);
    }

    [Fact]
    public void Autocomplete_TypoInCompletedWord_StillSuggests()
    {
        var hits = Index().Autocomplete("Muhammad Sar");

        Assert.Equal(Sarhan.Key, hits[0].Key);
    }

    [Theory]
    // Cyrillic is transliterated before prefix matching; Arabic script is matched on its consonant (abjad) key.
    [InlineData("Сергей Бел", "memorial:ru-0451")]
    [InlineData("محمد سر", "hrw:eg-001")]
    public void Autocomplete_OtherScriptPrefix_Suggests(string partial, string expected)
    {
        var hits = Index().Autocomplete(partial);

        Assert.Equal(expected, hits[0].Key.ToString());
    }

    [Fact]
    public void Autocomplete_MaxResults_IsRespected()
    {
        var cases = Enumerable.Range(0, 60).Select(i => Case("s", $"{i}", $"Amir Person{i}")).ToArray();

        var hits = Index(cases).Autocomplete("amir", 25);

        Assert.Equal(25, hits.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Autocomplete_Empty_ReturnsNothing(string partial)
    {
        Assert.Empty(Index().Autocomplete(partial));
    }
}
