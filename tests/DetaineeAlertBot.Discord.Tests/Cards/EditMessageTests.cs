using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Cards;

/// <summary>Edit Message, replies and the 30046 edit limit: the REST client against the fake over real HTTP.</summary>
public sealed class EditMessageTests : IAsyncLifetime
{
    private const string Channel = "645027906669510667";
    private FakeDiscordServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDiscordServer.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private static CreateMessageRequest Card(string status) => new()
    {
        Embeds = [new Embed { Title = "Case C123", Description = status }],
        AllowedMentions = AllowedMentions.None,
        Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Primary, "Acknowledge", "ack:C123:v1"),
            MessageComponent.LinkButton("Source", "https://example.org/c123"))],
    };

    private static EditMessageRequest Edit(string status) => new()
    {
        Embeds = [new Embed { Title = "Case C123", Description = status }],
        Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Secondary, "Acknowledged", "ack:C123:v2", disabled: true))],
        AllowedMentions = AllowedMentions.None,
    };

    [Fact]
    public async Task EditMessage_RoundTrip_StoredEditedAndReadBack()
    {
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);
        Assert.Equal("ack:C123:v1", card.Components![0].Components![0].CustomId);

        var edited = await client.EditMessageAsync(Channel, card.Id, Edit("Released"), CancellationToken.None);

        Assert.Equal(card.Id, edited.Id);
        Assert.Equal("Released", edited.Embeds![0].Description);
        Assert.Equal(true, edited.Components![0].Components![0].Disabled);
        var edit = Assert.Single(_fake.EditsOf(card.Id));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"parse":[]}"""), edit.AllowedMentions));
        Assert.Equal("Released", (string?)_fake.FindMessage(card.Id)!.Body["embeds"]![0]!["description"]);
        Assert.Contains(_fake.Requests, r => r.Method == "PATCH" && r.Path == $"/api/v10/channels/{Channel}/messages/{card.Id}" && r.Authorization == $"Bot {FakeDiscordServer.DefaultBotToken}");
    }

    [Fact]
    public async Task EditMessage_AfterDeleteByHand_UnknownMessage10008()
    {
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);
        await _fake.DeleteMessageByHandAsync(Channel, card.Id);

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.EditMessageAsync(Channel, card.Id, Edit("Released"), CancellationToken.None));

        Assert.Equal((HttpStatusCode.NotFound, DiscordApiException.UnknownMessage), (e.Status, e.Code));
        Assert.Empty(_fake.EditsOf(card.Id));
        Assert.Equal([card.Id], _fake.DeletedMessages);
    }

    [Fact]
    public async Task EditMessage_SomeoneElsesMessage_CannotEdit50005()
    {
        var theirs = _fake.PostAsUser(Channel, "80351110224678912", new JsonObject { ["content"] = "hello" });

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => Clients.Rest(_fake).EditMessageAsync(Channel, theirs.Id, Edit("x"), CancellationToken.None));

        Assert.Equal((HttpStatusCode.Forbidden, DiscordApiException.CannotEditOthersMessage), (e.Status, e.Code));
    }

    [Fact]
    public async Task EditMessage_EditLimit30046_ThrownAtOnceAsApiErrorNotRateLimit_AndCreateStillGoes()
    {
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);
        _fake.FailNextEditsWithEditLimit(Channel, 1);

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.EditMessageAsync(Channel, card.Id, Edit("Released"), CancellationToken.None));

        Assert.IsNotType<DiscordRateLimitedException>(e);
        Assert.Equal((HttpStatusCode.TooManyRequests, DiscordApiException.EditLimitOnOldMessages), (e.Status, e.Code));
        Assert.False(e.IsTransient);
        Assert.Single(_fake.Requests, r => r.Method == "PATCH"); // not retried
        // The fallback, a new card in the same channel, is not held back by the 30046 (its retry_after is 10 minutes).
        var replacement = await client.CreateMessageAsync(Channel, Card("Released"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(card.Id, replacement.Id);
        // The limit was for one edit only.
        await client.EditMessageAsync(Channel, replacement.Id, Edit("Released again"), CancellationToken.None);
    }

    [Fact]
    public async Task CreateAndEdit_BurstInOneChannel_ShareTheBucketWithoutTooManyRequests()
    {
        _fake.ChannelMessageLimit = 3;
        _fake.ChannelMessageWindow = TimeSpan.FromMilliseconds(400);
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => i % 2 == 0
            ? client.EditMessageAsync(Channel, card.Id, Edit($"v{i}"), CancellationToken.None)
            : client.CreateMessageAsync(Channel, Card($"v{i}"), CancellationToken.None)));

        Assert.Equal(4, _fake.EditsOf(card.Id).Count);
        Assert.Equal(0, _fake.RateLimitedCount);
    }

    [Fact]
    public async Task Reply_WithMessageReference_StoredAndReadBack()
    {
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);

        var reply = await client.CreateMessageAsync(Channel, new CreateMessageRequest
        {
            Content = "Status changed: released",
            AllowedMentions = AllowedMentions.None,
            MessageReference = MessageReference.ReplyTo(card.Id),
        }, CancellationToken.None);

        Assert.Equal(card.Id, reply.MessageReference!.MessageId);
        Assert.Equal(card.Id, (string?)_fake.FindMessage(reply.Id)!.Reference!["message_id"]);
    }

    [Fact]
    public async Task Reply_ToDeletedCard_InvalidFormBodyUnlessFailIfNotExistsFalse()
    {
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);
        await _fake.DeleteMessageByHandAsync(Channel, card.Id);
        var reply = new CreateMessageRequest { Content = "Released", AllowedMentions = AllowedMentions.None, MessageReference = MessageReference.ReplyTo(card.Id) };

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => client.CreateMessageAsync(Channel, reply, CancellationToken.None));
        var plain = await client.CreateMessageAsync(Channel, reply with { MessageReference = MessageReference.ReplyTo(card.Id, failIfNotExists: false) }, CancellationToken.None);

        Assert.Equal(DiscordApiException.InvalidFormBody, e.Code);
        Assert.Contains(e.Errors, line => line.Contains("message_reference", StringComparison.Ordinal) && line.Contains("Unknown message", StringComparison.Ordinal));
        Assert.Null(plain.MessageReference);
    }

    [Fact]
    public async Task EditMessage_InvalidComponents_RefusedBeforeSending()
    {
        var client = Clients.Rest(_fake);
        var card = await client.CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(() => client.EditMessageAsync(Channel, card.Id, new EditMessageRequest
        {
            Components = [MessageComponent.ActionRow(MessageComponent.Button(1, "a", "same"), MessageComponent.Button(1, "b", "same"))],
        }, CancellationToken.None));
        Assert.DoesNotContain(_fake.Requests, r => r.Method == "PATCH");
    }

    [Theory]
    [InlineData("""[{"type":1,"components":[{"type":2,"style":1,"label":"a","custom_id":"x"},{"type":2,"style":1,"label":"b","custom_id":"x"}]}]""", "COMPONENT_CUSTOM_ID_DUPLICATED")]
    [InlineData("""[{"type":1,"components":[{"type":2,"style":5,"label":"Source","custom_id":"x","url":"https://x"}]}]""", "BUTTON_COMPONENT_CUSTOM_ID_INVALID")]
    [InlineData("""[{"type":1,"components":[{"type":2,"style":5,"label":"Source"}]}]""", "BUTTON_COMPONENT_URL_REQUIRED")]
    [InlineData("""[{"type":2,"style":1,"label":"a","custom_id":"x"}]""", "COMPONENT_LAYOUT_WIDTH_EXCEEDED")]
    public async Task Fake_InvalidComponentsOnRawEdit_50035NamingTheProblem(string components, string problem)
    {
        var card = await Clients.Rest(_fake).CreateMessageAsync(Channel, Card("Detained"), CancellationToken.None);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{_fake.ApiBaseUrl}/channels/{Channel}/messages/{card.Id}")
        {
            Content = new StringContent($$"""{"components":{{components}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Authorization", $"Bot {FakeDiscordServer.DefaultBotToken}");
        request.Headers.TryAddWithoutValidation("User-Agent", "DiscordBot (https://example.org, 1.0)");

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("50035", body, StringComparison.Ordinal);
        Assert.Contains(problem, body, StringComparison.Ordinal);
        Assert.Empty(_fake.EditsOf(card.Id));
    }
}
