namespace DetaineeAlertBot.Sources.Tests;

public class CaseSourceOptionsTests
{
    [Theory]
    [InlineData("", "File", "a.json", null, "Sources:2:Name is empty")]
    [InlineData("a:b", "File", "a.json", null, "Sources:2:Name 'a:b' contains ':'")]
    [InlineData("s", "Ftp", "a.json", null, "Sources:2:Type 'Ftp' is not supported: use \"File\" or \"Http\".")]
    [InlineData("s", "File", "", null, "Sources:2:Path is empty")]
    [InlineData("s", "Http", null, "not a url", "Sources:2:Url 'not a url' is not an absolute http(s) URL")]
    public void Validate_BadEntry_NamesTheKeyAndTheFix(string name, string type, string? path, string? url, string expected)
    {
        var options = new CaseSourceOptions { Name = name, Type = type, Path = path, Url = url };

        Assert.Contains(options.Validate(2), m => m.StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("File", null, 1.0)]
    [InlineData("Http", null, 300.0)]
    [InlineData("http", 30.0, 30.0)]
    public void EffectivePollInterval_Defaults_PerType(string type, double? seconds, double expected)
    {
        var options = new CaseSourceOptions { Name = "s", Type = type, PollInterval = seconds is { } s ? TimeSpan.FromSeconds(s) : null };

        Assert.Equal(expected, options.EffectivePollInterval.TotalSeconds);
    }

    [Fact]
    public void Validate_GoodHttpEntry_HasNoProblems()
    {
        var options = new CaseSourceOptions { Name = "web", Type = "Http", Url = "https://example.org/cases.json", PollInterval = TimeSpan.FromMinutes(1) };

        Assert.Empty(options.Validate(0));
    }
}
