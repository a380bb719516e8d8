namespace DetaineeAlertBot.Search.Tests;

public sealed class NameSimilarityTests
{
    [Theory]
    [InlineData("sarhan", "sarhan", 0)]
    [InlineData("sarhan", "sarhani", 1)]
    [InlineData("sarhan", "sarhn", 1)]
    [InlineData("sarhan", "sarhen", 1)]
    // A swapped pair is one cheaper edit, not two.
    [InlineData("sarhan", "sarhna", 0.6)]
    [InlineData("", "abc", 3)]
    public void Osa_Pairs_GiveExpectedDistance(string a, string b, double expected)
    {
        Assert.Equal(expected, NameSimilarity.Osa(a, b), 6);
    }

    [Fact]
    public void EditSimilarity_Identical_IsOne()
    {
        Assert.Equal(1.0, NameSimilarity.EditSimilarity("belyakov", "belyakov"));
    }

    [Fact]
    public void SoundSimilarity_VowelClassChange_CostsHalfAnEdit()
    {
        // Fatema/Fatima differ only in a vowel class.
        var full = NameSimilarity.SoundSimilarity("fADAmA", "fADImA");

        Assert.Equal(1 - 0.5 / 6, full, 6);
    }
}
