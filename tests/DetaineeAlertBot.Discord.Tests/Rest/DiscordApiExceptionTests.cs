using System.Net;
using System.Text.Json;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Discord.Tests.Rest;

public class DiscordApiExceptionTests
{
    public static TheoryData<string, string[]> ErrorBodies => new()
    {
        // Array error (reference.mdx, "Array Error"): indexes become [n].
        {
            """{"code":50035,"errors":{"activities":{"0":{"platform":{"_errors":[{"code":"BASE_TYPE_CHOICES","message":"Value must be one of ('desktop', 'android', 'ios')."}]},"type":{"_errors":[{"code":"BASE_TYPE_CHOICES","message":"Value must be one of (0, 1, 2, 3, 4, 5)."}]}}}},"message":"Invalid Form Body"}""",
            ["activities[0].platform[BASE_TYPE_CHOICES]: Value must be one of ('desktop', 'android', 'ios').", "activities[0].type[BASE_TYPE_CHOICES]: Value must be one of (0, 1, 2, 3, 4, 5)."]
        },
        // Object error (reference.mdx, "Object Error").
        {
            """{"code":50035,"errors":{"access_token":{"_errors":[{"code":"BASE_TYPE_REQUIRED","message":"This field is required"}]}},"message":"Invalid Form Body"}""",
            ["access_token[BASE_TYPE_REQUIRED]: This field is required"]
        },
        // Request error (reference.mdx, "Request Error"): errors directly under errors._errors.
        {
            """{"code":50035,"message":"Invalid Form Body","errors":{"_errors":[{"code":"APPLICATION_COMMAND_TOO_LARGE","message":"Command exceeds maximum size (8000)"}]}}""",
            ["request[APPLICATION_COMMAND_TOO_LARGE]: Command exceeds maximum size (8000)"]
        },
        // Embed field error, the shape discord.js formats as embed.fields[0].value[...].
        {
            """{"code":50035,"message":"Invalid Form Body","errors":{"embeds":{"0":{"fields":{"0":{"value":{"_errors":[{"code":"BASE_TYPE_REQUIRED","message":"This field is required"}]}}}}}}}""",
            ["embeds[0].fields[0].value[BASE_TYPE_REQUIRED]: This field is required"]
        },
    };

    [Theory]
    [MemberData(nameof(ErrorBodies))]
    public void FlattenErrors_DocumentedBodies_OneLinePerLeaf(string body, string[] expected)
    {
        using var document = JsonDocument.Parse(body);
        var lines = DiscordApiException.FlattenErrors(document.RootElement.GetProperty("errors"));

        Assert.Equal(expected, lines);
    }

    [Fact]
    public void Message_InvalidFormBody_NamesRouteStatusCodeAndFields()
    {
        var e = new DiscordApiException("POST /channels/{channel_id}/messages", HttpStatusCode.BadRequest, 50035, "Invalid Form Body",
            ["embeds[0].title[BASE_TYPE_MAX_LENGTH]: Must be 256 or fewer in length."]);

        Assert.Equal("Discord POST /channels/{channel_id}/messages failed with HTTP 400, code 50035: Invalid Form Body " +
            "(embeds[0].title[BASE_TYPE_MAX_LENGTH]: Must be 256 or fewer in length.)", e.Message);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public void Message_MissingAccess_SaysWhatToFix()
    {
        var e = new DiscordApiException("POST /channels/{channel_id}/messages", HttpStatusCode.Forbidden, 50001, "Missing Access", []);

        Assert.Contains("give it View Channel", e.Message);
    }
}
