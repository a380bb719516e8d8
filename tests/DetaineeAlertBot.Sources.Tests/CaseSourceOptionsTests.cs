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

    [Theory]
    [InlineData("File")]
    [InlineData("Http")]
    public void Validate_PollIntervalUnderOneSecond_IsRefusedForEveryType(string type)
    {
        var options = new CaseSourceOptions { Name = "s", Type = type, Path = "a.json", Url = "https://example.org/c.json", PollInterval = TimeSpan.FromMilliseconds(500) };

        Assert.Contains(options.Validate(1), m => m.StartsWith("Sources:1:PollInterval 00:00:00.5000000 is shorter than 00:00:01", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("File", 2.0, false)]
    [InlineData("Http", 2.0, true)]  // accepted, with a warning
    [InlineData("Http", 5.0, false)]
    public void PollInterval_FromOneSecond_IsAcceptedAndFastHttpPollsWarn(string type, double seconds, bool warns)
    {
        var options = new CaseSourceOptions
        {
            Name = "s", Type = type, Path = "a.json", Url = "https://reader:pw@example.org/c.json?token=SECRET", PollInterval = TimeSpan.FromSeconds(seconds),
        };

        Assert.Empty(options.Validate(3));
        var warnings = options.Warnings(3).ToArray();
        Assert.Equal(warns, warnings.Length == 1);
        Assert.All(warnings, w => Assert.StartsWith("Sources:3:PollInterval 00:00:02 polls https://example.org/c.json?… more often than every 5 s", w));
        Assert.All(warnings, w => Assert.DoesNotContain("SECRET", w));
    }
}
