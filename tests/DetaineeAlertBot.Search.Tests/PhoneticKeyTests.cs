namespace DetaineeAlertBot.Search.Tests;

public sealed class PhoneticKeyTests
{
    private static string SoundOf(string name) => PhoneticKey.Sound(NameNormalizer.Normalize(name).Tokens[0]);

    private static string SkeletonOf(string name) => PhoneticKey.Skeleton(NameNormalizer.Normalize(name).Tokens[0]);

    [Theory]
    // Transliteration families that must share a sound key.
    [InlineData("Mohammed", "Muhammad")]
    [InlineData("Mohammed", "Mohamed")]
    [InlineData("Mohammed", "Mohammad")]
    [InlineData("Husayn", "Hussein")]
    [InlineData("Hussain", "Hussein")]
    [InlineData("Yevgeny", "Evgeny")]
    [InlineData("Yevgeniy", "Evgeny")]
    [InlineData("Yevgeny", "Jevgeny")]
    [InlineData("Smirnoff", "Smirnov")]
    [InlineData("Qiao", "Ch'iao")]
    [InlineData("Weissmüller", "Weissmueller")]
    [InlineData("Amiry", "Amiri")]
    [InlineData("Sergei", "Sergey")]
    [InlineData("Alexei", "Aleksey")]
    [InlineData("Zhukovsky", "Joukovski")]
    [InlineData("Maryam", "Mariam")]
    [InlineData("Yousef", "Yusef")]
    [InlineData("Fatimah", "Fatima")]
    [InlineData("Xu", "Hsu")]
    public void Sound_TransliterationVariants_Meet(string a, string b)
    {
        Assert.Equal(SoundOf(a), SoundOf(b));
    }

    [Theory]
    // Different names that a too-coarse key would merge.
    [InlineData("Hassan", "Hossein")]
    [InlineData("Yevgenia", "Yevgeny")]
    [InlineData("Amir", "Amira")]
    [InlineData("Omar", "Amir")]
    [InlineData("Belov", "Belyakov")]
    public void Sound_DifferentNames_StayApart(string a, string b)
    {
        Assert.NotEqual(SoundOf(a), SoundOf(b));
    }

    [Theory]
    [InlineData("Mohammed", "mhmD")]
    [InlineData("Yevgeny", "fKn")]
    [InlineData("Evgeny", "fKn")]
    [InlineData("Qasim", "KSm")]
    [InlineData("Kassem", "KSm")]
    [InlineData("Ghorbani", "Krbn")]
    [InlineData("Smirnoff", "Smrnf")]
    public void Skeleton_Input_GivesExpectedKey(string input, string expected)
    {
        Assert.Equal(expected, SkeletonOf(input));
    }

    [Theory]
    // Latin spelling projected the way Arabic or Hebrew script writes it (consonants, long vowels as y/w).
    [InlineData("mohammed", "mhmD")]
    [InlineData("mansour", "mnSwr")]
    [InlineData("hossein", "hSyn")]
    [InlineData("yousef", "ywSf")]
    [InlineData("parviz", "Brwyz")]
    [InlineData("khaled", "xlD")]
    // A word-initial vowel is carried by a silent alif: nothing is written for it.
    [InlineData("ibrahim", "Brhym")]
    public void Abjad_LatinToken_GivesExpectedKey(string input, string expected)
    {
        Assert.Equal(expected.Replace("z", "S"), PhoneticKey.Abjad(input));
    }

    [Theory]
    // Arabic/Persian/Hebrew script against the Latin spelling a feed uses.
    [InlineData("محمد", "mohammed")]
    [InlineData("حسين", "hussein")]
    [InlineData("رضایی", "rezaei")]
    [InlineData("پرویز", "parviz")]
    [InlineData("יוסף", "yosef")]
    [InlineData("כהן", "cohen")]
    public void AbjadSimilarity_ScriptAndLatinSpelling_AreClose(string script, string latin)
    {
        var scriptKey = PhoneticKey.Abjad(NameNormalizer.Normalize(script).Tokens[0]);

        Assert.True(NameSimilarity.AbjadSimilarity(scriptKey, PhoneticKey.Abjad(latin)) >= 0.85, $"{scriptKey} vs {PhoneticKey.Abjad(latin)}");
    }

    [Fact]
    public void AbjadSimilarity_HusseinInArabic_PrefersHusseinOverHassan()
    {
        var key = PhoneticKey.Abjad(NameNormalizer.Normalize("حسين").Tokens[0]);

        Assert.True(NameSimilarity.AbjadSimilarity(key, PhoneticKey.Abjad("hussein"))
            > NameSimilarity.AbjadSimilarity(key, PhoneticKey.Abjad("hassan")));
    }
}
