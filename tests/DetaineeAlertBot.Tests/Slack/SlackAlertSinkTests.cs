using System.Text.Json;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Tests.Slack;

public sealed class SlackAlertSinkTests : IAsyncLifetime
{
    private static readonly CaseRecord Amir = new()
    {
        Source = "state-dept-feed",
        Id = "af-2024-0012",
        Name = "Amir Amiry",
        Status = CaseStatus.Released,
        StatusSince = new DateOnly(2026, 11, 22),
        Nationality = "US",
        Country = "Afghanistan",
        HeldBy = "Taliban",
        Location = "Kabul",
        SourceUrl = "https://example.org/cases/af-2024-0012",
    };

    private FakeSlackServer _slack = null!;
    private readonly HttpClient _http = new();
    private readonly HealthRegistry _health = new(TimeProvider.System);

    public async Task InitializeAsync() => _slack = await FakeSlackServer.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _slack.DisposeAsync();
    }

    [Fact]
    public void Render_StatusChange_HasHeaderFieldsSourceAndContext()
    {
        var message = SlackAlertSink.Render(Alert(Amir));

        var header = Assert.IsType<HeaderBlock>(message.Blocks[0]);
        Assert.Equal("Amir Amiry — Released", header.Text.Text);
        var status = Assert.IsType<SectionBlock>(message.Blocks[1]);
        Assert.Contains("Status changed: Detained -&gt; Released", status.Text!.Text, StringComparison.Ordinal);
        var fields = Assert.IsType<SectionBlock>(message.Blocks[2]).Fields!.Select(f => f.Text).ToList();
        Assert.Contains("*Person*\nAmir Amiry", fields);
        Assert.Contains("*Status*\nDetained -&gt; Released", fields);
        Assert.Contains("*Country*\nAfghanistan", fields);
        Assert.Contains("*Held by*\nTaliban", fields);
        Assert.Contains(fields, f => f.StartsWith("*Detained since*\n2024-12-01", StringComparison.Ordinal));
        Assert.Contains("*Source*\n<https://example.org/cases/af-2024-0012|state-dept-feed>", fields);
        var context = Assert.IsType<ContextBlock>(message.Blocks[3]);
        Assert.StartsWith("case af-2024-0012 · source state-dept-feed · observed 2026-11-22 10:04 UTC", context.Elements[0].Text, StringComparison.Ordinal);
        Assert.Equal("Amir Amiry: detained -&gt; released (Afghanistan)", message.Text);
        Assert.Empty(message.Truncations);
    }

    [Theory]
    [InlineData("<!channel> Amir")]
    [InlineData("<!here|here>")]
    [InlineData("<!everyone>")]
    [InlineData("<@U024BE7LH>")]
    [InlineData("<https://evil.example|click>")]
    public void Render_MentionOrLinkInFeedText_NeverReachesSlackUnescaped(string hostile)
    {
        var record = Amir with { Name = hostile, Country = hostile, HeldBy = hostile, Location = hostile, Source = hostile };

        var message = SlackAlertSink.Render(Alert(record));
        var json = JsonSerializer.Serialize(new ChatPostMessageRequest("C1", message.Text, message.Blocks), SlackJson.ChatPostMessageRequest);

        // The only '<' in the whole message is the source link we built.
        using var doc = JsonDocument.Parse(json);
        var texts = AllTexts(doc.RootElement).ToList();
        Assert.All(texts, t => Assert.DoesNotContain("<!", t, StringComparison.Ordinal));
        Assert.All(texts, t => Assert.DoesNotContain("<@", t, StringComparison.Ordinal));
        Assert.All(texts, t => Assert.DoesNotContain("<https://evil", t, StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("&lt;", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_PlainAtMentions_AreVerbatimSoSlackDoesNotParseThem()
    {
        var message = SlackAlertSink.Render(Alert(Amir with { Name = "@here @channel @everyone" }));

        Assert.All(message.Blocks.OfType<SectionBlock>().SelectMany(s => s.Fields ?? [s.Text!]), t => Assert.True(t.Verbatim));
        Assert.All(message.Blocks.OfType<ContextBlock>().SelectMany(c => c.Elements), t => Assert.True(t.Verbatim));
        Assert.Equal("plain_text", Assert.IsType<HeaderBlock>(message.Blocks[0]).Text.Type);
    }

    [Fact]
    public void Render_HugeFeedText_StaysWithinSlackLimits()
    {
        var huge = new string('x', 20_000);
        var record = Amir with { Name = huge, Country = huge, HeldBy = huge, Location = huge, Nationality = huge };

        var message = SlackAlertSink.Render(Alert(record));

        Assert.True(Assert.IsType<HeaderBlock>(message.Blocks[0]).Text.Text.Length <= SlackLimits.HeaderText);
        var total = message.Blocks.Sum(b => b switch
        {
            HeaderBlock h => h.Text.Text.Length,
            SectionBlock s => (s.Text?.Text.Length ?? 0) + (s.Fields?.Sum(f => f.Text.Length) ?? 0),
            ContextBlock c => c.Elements.Sum(e => e.Text.Length),
            _ => 0,
        });
        Assert.True(total <= SlackLimits.TotalBlockText, $"total {total}");
        Assert.True(message.Text.Length <= SlackLimits.FallbackText);
        Assert.NotEmpty(message.Truncations);
    }

    [Fact]
    public async Task Send_Accepted_ReturnsChannelAndTsAndTagsDeliveryId()
    {
        var sink = Sink();

        var result = await sink.SendAsync(Alert(Amir), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        var posted = Assert.Single(_slack.Messages);
        Assert.Equal($"C111/{posted.Ts}", result.ExternalId);
        Assert.Equal("detainee_alert", posted.Body.GetProperty("metadata").GetProperty("event_type").GetString());
        Assert.Equal("dlv-1", posted.Body.GetProperty("metadata").GetProperty("event_payload").GetProperty("delivery_id").GetString());
        Assert.False(posted.Body.GetProperty("unfurl_links").GetBoolean());
        Assert.False(posted.Body.GetProperty("unfurl_media").GetBoolean());
    }

    [Fact]
    public async Task Send_HugeCase_AcceptedByTheFakesBlockKitChecks()
    {
        var huge = new string('y', 20_000);

        var result = await Sink().SendAsync(Alert(Amir with { Name = huge, Country = huge, HeldBy = huge }), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
    }

    // Which ok:false error means which outcome: Delivery/SinkVerdictTable.cs, run by every sink.

    [Fact]
    public async Task Send_RateLimitedBeyondAttempts_RetryCarriesRetryAfter()
    {
        _slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(90));

        var result = await Sink().SendAsync(Alert(Amir), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.RateLimited, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(90), result.RetryAfter);
    }

    [Fact]
    public async Task Send_InvalidAuth_PausesThePlatformAndHealthUnhealthy()
    {
        _slack.Enqueue("chat.postMessage", FakeResponse.Error("invalid_auth"));

        var result = await Sink().SendAsync(Alert(Amir), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.PlatformDown, result.Outcome);
        var slack = Assert.Single(_health.Snapshot(), c => c.Component == "slack");
        Assert.False(slack.Healthy);
        Assert.Contains("Slack:BotToken", slack.Detail, StringComparison.Ordinal);
    }

    private SlackAlertSink Sink()
    {
        var api = new SlackApiClient(_http, new SlackApiClientOptions { BaseUrl = _slack.ApiBaseUrl, BotToken = FakeSlackServer.DefaultBotToken },
            TimeProvider.System, NullLogger<SlackApiClient>.Instance);
        return new SlackAlertSink(api, _health, NullLogger<SlackAlertSink>.Instance);
    }

    private static AlertMessage Alert(CaseRecord record) => new(
        "dlv-1", "slack", "C111", record, CaseStatus.Detained, CaseStatus.Released,
        new DateTimeOffset(2026, 11, 22, 10, 4, 0, TimeSpan.Zero), 1, new DateOnly(2024, 12, 1));

    private static IEnumerable<string> AllTexts(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    foreach (var text in AllTexts(property.Value))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var text in AllTexts(item))
                    {
                        yield return text;
                    }
                }

                break;
        }
    }
}
