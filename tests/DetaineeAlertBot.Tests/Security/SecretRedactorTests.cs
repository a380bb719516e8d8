using DetaineeAlertBot.Security;
using Microsoft.Extensions.Configuration;

namespace DetaineeAlertBot.Tests.Security;

public class SecretRedactorTests
{
    private static SecretRedactor FromSettings(params (string Key, string Value)[] settings) =>
        SecretRedactor.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void Redact_ConfiguredSecrets_AreMaskedWherever_TheyAppear()
    {
        var redactor = FromSettings(
            ("Discord:BotToken", "fake.discord.token-0123"), ("Slack:SigningSecret", "fake-signing-secret-99"),
            ("Storage:ConnectionString", "Host=db;Username=bot;Password=pg-pass-1234"), ("Management:ApiKey", "  fake-management-key  "));

        var text = redactor.Redact("auth failed for fake.discord.token-0123; sig fake-signing-secret-99; 28P01 password pg-pass-1234 (fake-management-key)");

        Assert.Equal("auth failed for ***; sig ***; 28P01 password *** (***)", text);
    }

    [Fact]
    public void Redact_SourceUrlSecrets_AreMaskedEvenOutsideAUrl()
    {
        var redactor = FromSettings(("Sources:0:Url", "https://reader:feed-pass-77@feeds.example.org/c.json?token=feed-token-55&format=json"));

        var text = redactor.Redact("server said: bad token feed-token-55 for reader:feed-pass-77");

        Assert.DoesNotContain("feed-token-55", text);
        Assert.DoesNotContain("feed-pass-77", text);
    }

    [Theory]
    [InlineData("GET https://u:p@example.org/a/b?x=1&y=2 failed", "GET https://example.org/a/b?… failed")]
    [InlineData("see http://example.org/path", "see http://example.org/path")]
    public void Redact_AnyUrl_LosesUserInfoAndQueryValues(string input, string expected)
    {
        Assert.Equal(expected, new SecretRedactor([]).Redact(input));
    }

    [Fact]
    public void Redact_UnsafeCharacters_AreDroppedButNewlinesKept()
    {
        var text = new SecretRedactor([]).Redact("name\u001b[2J \u202Eevil\u200B\nnext\tline");

        Assert.Equal("name[2J evil\nnext\tline", text);
    }

    [Fact]
    public void Constructor_VeryShortSecrets_AreNotMaskedSoOrdinaryWordsSurvive()
    {
        Assert.Equal("the cat sat", new SecretRedactor(["cat"]).Redact("the cat sat"));
    }
}
