using System.Text;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Tests.Cases;

public class UntrustedTextTests
{
    public static TheoryData<string, string> RemovedCharacters => new()
    {
        { "C0 NUL", "\u0000" }, { "C0 BEL", "\u0007" }, { "C0 ESC", "\u001B" }, { "DEL", "\u007F" },
        { "C1 NEL", "\u0085" }, { "C1 CSI", "\u009B" },
        { "LRE", "\u202A" }, { "RLE", "\u202B" }, { "PDF", "\u202C" }, { "LRO", "\u202D" }, { "RLO", "\u202E" },
        { "LRI", "\u2066" }, { "RLI", "\u2067" }, { "FSI", "\u2068" }, { "PDI", "\u2069" },
        { "LRM", "\u200E" }, { "RLM", "\u200F" }, { "ALM", "\u061C" },
        { "ZWSP", "\u200B" }, { "WJ", "\u2060" }, { "BOM", "\uFEFF" }, { "MVS", "\u180E" },
    };

    [Theory]
    [MemberData(nameof(RemovedCharacters))]
    public void CleanLineAndMultiline_RemoveTheCharacter(string what, string character)
    {
        var dirty = $"Mira{character} Mu{character}tova";

        Assert.True(UntrustedText.CleanLine(dirty) == "Mira Mutova", what);
        Assert.True(UntrustedText.CleanMultiline(dirty) == "Mira Mutova", what);
    }

    // Lone surrogates in a Fact, not theory data: xunit's serialisation of theory arguments would replace them with U+FFFD.
    [Fact]
    public void LoneSurrogates_AreRemoved()
    {
        foreach (var dirty in new[] { "Mira\uD800 Mutova", "Mira \uDC00Mutova", "Mira Mutova\uD83D", "\uDE00Mira Mutova" })
        {
            Assert.Equal("Mira Mutova", UntrustedText.CleanLine(dirty));
            Assert.Equal("Mira Mutova", UntrustedText.CleanMultiline(dirty));
        }
    }

    [Fact]
    public void IdProblem_NamesLoneSurrogates()
    {
        Assert.Equal(UntrustedText.IdProblemReason, UntrustedText.IdProblem("a\uD800b"));
        Assert.Equal(UntrustedText.IdProblemReason, UntrustedText.IdProblem("a\uDC00"));
        Assert.Equal(UntrustedText.IdProblemReason, UntrustedText.IdProblem("a\uD800"));
    }

    [Fact]
    public void CleanLine_TurnsLineBreaksAndTabsIntoSpaces()
    {
        Assert.Equal("a b c d", UntrustedText.CleanLine("a\nb\r\nc\td"));
    }

    [Fact]
    public void CleanMultiline_KeepsNewlinesAndTabsAndNormalisesCarriageReturns()
    {
        Assert.Equal("one\ntwo\tthree\nfour\nfive", UntrustedText.CleanMultiline("one\r\ntwo\tthree\rfour\nfive"));
    }

    [Theory]
    [InlineData("\u0645\u06CC\u200C\u0631\u0627")] // Persian with ZWNJ
    [InlineData("\U0001F469\u200D\U0001F4BB")] // emoji joined by ZWJ
    [InlineData("\u0915\u094D\u200D\u0937")] // Devanagari with ZWJ
    public void JoinersAndPairedSurrogates_AreKept(string text)
    {
        Assert.Same(text, UntrustedText.CleanLine(text));
        Assert.Same(text, UntrustedText.CleanMultiline(text));
    }

    [Fact]
    public void Result_IsNfc()
    {
        var decomposed = "Jose\u0301 Ami\u0301ri";

        var cleaned = UntrustedText.CleanLine(decomposed);

        Assert.Equal("Jos\u00E9 Am\u00EDri", cleaned);
        Assert.True(cleaned.IsNormalized(NormalizationForm.FormC));
    }

    [Fact]
    public void RemovingAMarkBetweenLetterAndAccent_StillYieldsNfc()
    {
        Assert.Equal("\u00E9", UntrustedText.CleanLine("e\u200B\u0301"));
    }

    [Theory]
    [InlineData("Amir Amiry")]
    [InlineData("Ærøskøbing Şahin Nguyễn")]
    [InlineData("")]
    public void CleanText_IsReturnedAsTheSameInstance(string text)
    {
        var instance = new string(text.AsSpan()); // not an interned literal, so Same proves no copy was made

        Assert.Same(instance, UntrustedText.CleanLine(instance));
        Assert.Same(instance, UntrustedText.CleanMultiline(instance));
    }

    [Fact]
    public void CleanMultiline_TextWithOnlyNewlinesAndTabs_IsTheSameInstance()
    {
        var text = new string("a\n\tb".AsSpan());

        Assert.Same(text, UntrustedText.CleanMultiline(text));
    }

    [Theory]
    [InlineData("af-2024-0012")]
    [InlineData("١٢٣")]
    [InlineData("id with spaces")]
    public void IdProblem_IsNullForPrintableIds(string id)
    {
        Assert.Null(UntrustedText.IdProblem(id));
    }

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\tb")]
    [InlineData("a\u0085b")]
    [InlineData("a\u200Db")] // even ZWJ: an id is matched exactly, an invisible character makes a look-alike
    [InlineData("a\u00ADb")]
    [InlineData("a\U000E0041")] // tag character outside the BMP
    public void IdProblem_NamesControlAndFormatCharacters(string id)
    {
        Assert.Equal("id contains control or format characters", UntrustedText.IdProblem(id));
    }
}
