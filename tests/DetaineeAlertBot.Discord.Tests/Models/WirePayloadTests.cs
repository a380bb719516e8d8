using System.Text.Json;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Tests.Models;

/// <summary>Our wire types against the documentation's example payloads (events/gateway*.mdx, resources/message.mdx).</summary>
public class WirePayloadTests
{
    [Fact]
    public void GatewayBot_DocsExample_Parsed()
    {
        const string docs = """
            { "url": "wss://gateway.discord.gg/", "shards": 9,
              "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1 } }
            """;

        var bot = JsonSerializer.Deserialize(docs, DiscordJsonContext.Default.GatewayBotResponse)!;

        Assert.Equal("wss://gateway.discord.gg/", bot.Url);
        Assert.Equal(9, bot.Shards);
        Assert.Equal((1000, 999, 14400000L, 1), (bot.SessionStartLimit!.Total, bot.SessionStartLimit.Remaining, bot.SessionStartLimit.ResetAfter, bot.SessionStartLimit.MaxConcurrency));
    }

    [Theory]
    // Hello, Heartbeat ACK, Reconnect, Invalid Session, a generic dispatch.
    [InlineData("""{"op":10,"d":{"heartbeat_interval":45000}}""", 10, null, null)]
    [InlineData("""{"op":11}""", 11, null, null)]
    [InlineData("""{"op":7,"d":null}""", 7, null, null)]
    [InlineData("""{"op":9,"d":false}""", 9, null, null)]
    [InlineData("""{"op":0,"d":{},"s":42,"t":"GATEWAY_EVENT_NAME"}""", 0, 42, "GATEWAY_EVENT_NAME")]
    public void GatewayPayload_DocsExamples_Parsed(string json, int op, int? sequence, string? eventName)
    {
        var payload = JsonSerializer.Deserialize(json, DiscordJsonContext.Default.GatewayPayload)!;

        Assert.Equal((op, sequence, eventName), (payload.Op, payload.Sequence, payload.EventName));
    }

    [Fact]
    public void Hello_DocsExample_HeartbeatInterval()
    {
        var payload = JsonSerializer.Deserialize("""{"op":10,"d":{"heartbeat_interval":45000}}""", DiscordJsonContext.Default.GatewayPayload)!;

        Assert.Equal(45000, payload.Data!.Value.Deserialize(DiscordJsonContext.Default.HelloData)!.HeartbeatInterval);
    }

    [Fact]
    public void Identify_Serialized_HasTheDocumentedFields()
    {
        var json = JsonSerializer.Serialize(new IdentifyData("my_token", 0, new IdentifyProperties("linux", "my_library", "my_library")), DiscordJsonContext.Default.IdentifyData);

        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"token":"my_token","intents":0,"properties":{"os":"linux","browser":"my_library","device":"my_library"}}"""),
            JsonNode.Parse(json)));
    }

    [Fact]
    public void Resume_Serialized_MatchesDocsExample()
    {
        var json = JsonSerializer.Serialize(new ResumeData("randomstring", "evenmorerandomstring", 1337), DiscordJsonContext.Default.ResumeData);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"token":"randomstring","session_id":"evenmorerandomstring","seq":1337}"""), JsonNode.Parse(json)));
    }

    [Fact]
    public void CreateMessage_AlertBody_MatchesDigestExampleShape()
    {
        var request = new CreateMessageRequest
        {
            Embeds =
            [
                new Embed
                {
                    Title = "Amir Amiry — status changed",
                    Description = "detained → charged",
                    Url = "https://example.org/case/af-2024-0012",
                    Color = 15158332,
                    Timestamp = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero),
                    Fields = [new("Country", "Afghanistan", true), new("Since", "2024-12-01", true)],
                    Footer = new EmbedFooter("DetaineeAlertBot"),
                },
            ],
            AllowedMentions = AllowedMentions.None,
            Nonce = "a1b2c3d4e5f6a7b8c9d0e1f2a",
            EnforceNonce = true,
        };

        var json = JsonNode.Parse(DiscordJson.Serialize(request))!;

        var expected = JsonNode.Parse("""
            {
              "embeds": [{
                "title": "Amir Amiry — status changed",
                "description": "detained → charged",
                "url": "https://example.org/case/af-2024-0012",
                "timestamp": "2026-11-22T10:00:00+00:00",
                "color": 15158332,
                "footer": { "text": "DetaineeAlertBot" },
                "fields": [
                  { "name": "Country", "value": "Afghanistan", "inline": true },
                  { "name": "Since", "value": "2024-12-01", "inline": true }
                ]
              }],
              "allowed_mentions": { "parse": [] },
              "nonce": "a1b2c3d4e5f6a7b8c9d0e1f2a",
              "enforce_nonce": true
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, json), json.ToJsonString());
    }

    [Fact]
    public void RateLimitedBody_DocsExample_Parsed()
    {
        var body = JsonSerializer.Deserialize("""{"message":"You are being rate limited.","retry_after":64.57,"global":false}""", DiscordJsonContext.Default.DiscordErrorBody)!;

        Assert.Equal(64.57, body.RetryAfter);
        Assert.False(body.Global);
    }
}
