using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack.Tests.Cards;

/// <summary>chat.update, thread replies, views.open and response_url answers against the fake, over loopback.</summary>
public sealed class SlackCardApiTests : FakeSlackTest
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UpdateMessage_OwnCard_ReplacesTextAndBlocksAndIsRecorded()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "card-v1");

        var updated = await client.UpdateMessageAsync(card.Channel, card.Ts, "Released",
            Card("Released", "card-v2").Blocks, CancellationToken.None);

        Assert.Equal(card.Ts, updated.Ts);
        var now = Slack.Message(card.Channel, card.Ts)!;
        Assert.Equal("Released", now.Text);
        Assert.Equal("card-v2", now.Blocks!.Value[1].GetProperty("block_id").GetString());
        Assert.Equal("actions", now.Blocks!.Value[1].GetProperty("type").GetString());
        var edit = Assert.Single(now.Edits);
        Assert.Equal(card.Ts, edit.Body.GetProperty("ts").GetString());
        Assert.Single(Slack.Edits);
        // An edit is not a new message.
        Assert.Single(Slack.ChannelMessages(card.Channel));
    }

    [Fact]
    public async Task UpdateMessage_EmptyBlocks_ClearsThemAndSendsTheText()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");

        await client.UpdateMessageAsync(card.Channel, card.Ts, "plain now", [], CancellationToken.None);

        var edit = Assert.Single(Slack.Edits);
        Assert.Equal(0, edit.Body.GetProperty("blocks").GetArrayLength());
        Assert.Equal(0, Slack.Message(card.Channel, card.Ts)!.BlockCount);
    }

    [Fact]
    public async Task Fake_TextOnlyUpdate_WipesTheBlocks()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        Assert.Equal(2, Slack.Message(card.Channel, card.Ts)!.BlockCount);

        // What a careless client would send: text without blocks (Slack removes the blocks).
        var answer = await RawUpdateAsync(new { channel = card.Channel, ts = card.Ts, text = "only text" });

        Assert.True(answer.GetProperty("ok").GetBoolean());
        var now = Slack.Message(card.Channel, card.Ts)!;
        Assert.Equal("only text", now.Text);
        Assert.Null(now.Blocks);
    }

    [Fact]
    public async Task Fake_UpdateWithNeitherTextNorBlocks_IsNoText()
    {
        var card = await PostCardAsync(CreateClient(), "Detained", "b1");

        var answer = await RawUpdateAsync(new { channel = card.Channel, ts = card.Ts });

        Assert.Equal("no_text", answer.GetProperty("error").GetString());
    }

    [Fact]
    public async Task UpdateMessage_DeletedByHand_MessageNotFoundAndCannotEdit()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        Assert.True(Slack.DeleteMessage(card.Channel, card.Ts));

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.UpdateMessageAsync(card.Channel, card.Ts, "Released", Card("Released", "b2").Blocks, CancellationToken.None));

        Assert.Equal("message_not_found", e.Error);
        Assert.True(e.CannotEditMessage);
        Assert.Equal(SlackErrorClass.BadPayload, e.ErrorClass);
        Assert.Contains("post a new one", e.Message, StringComparison.Ordinal);
        Assert.Empty(Slack.ChannelMessages(card.Channel));
        // Not retried: a deleted message does not come back.
        Assert.Equal(1, Slack.Calls("chat.update"));
    }

    [Fact]
    public async Task UpdateMessage_SomeoneElsesMessage_CantUpdateMessage()
    {
        var theirs = Slack.AddUserMessage("C111", "hello from a person");

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().UpdateMessageAsync("C111", theirs.Ts, "mine now", [], CancellationToken.None));

        Assert.Equal("cant_update_message", e.Error);
        Assert.True(e.CannotEditMessage);
    }

    [Fact]
    public async Task UpdateMessage_EditWindowClosed_CannotEdit()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        Slack.CloseEditWindow(card.Channel, card.Ts);

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.UpdateMessageAsync(card.Channel, card.Ts, "x", [], CancellationToken.None));

        Assert.Equal("edit_window_closed", e.Error);
        Assert.True(e.CannotEditMessage);
    }

    [Fact]
    public async Task UpdateMessage_UnknownTsOrChannel_MessageNotFoundOrChannelNotFound()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        Slack.Channels["C111"] = true;

        var wrongTs = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.UpdateMessageAsync("C111", "1764150000.999999", "x", [], CancellationToken.None));
        var wrongChannel = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.UpdateMessageAsync("C999", card.Ts, "x", [], CancellationToken.None));

        Assert.Equal("message_not_found", wrongTs.Error);
        Assert.Equal("channel_not_found", wrongChannel.Error);
        Assert.Equal(SlackErrorClass.Configuration, wrongChannel.ErrorClass);
        Assert.False(wrongChannel.CannotEditMessage);
    }

    [Fact]
    public async Task UpdateMessage_InvalidButton_InvalidBlocksFromFake()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        var tooMany = new ActionsBlock(Enumerable.Range(0, 26).Select(i => (BlockElement)new ButtonElement(TextObject.Plain("b" + i), "a" + i)).ToArray());

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.UpdateMessageAsync(card.Channel, card.Ts, "x", [tooMany], CancellationToken.None));

        Assert.Equal("invalid_blocks", e.Error);
        Assert.Contains("[ERROR] no more than 25 items allowed [json-pointer:/blocks/0/elements]", e.Details);
    }

    [Fact]
    public async Task ThreadReply_WithBroadcast_RecordedInThreadAndChannel()
    {
        var client = CreateClient();
        // A warm connection: a first request's connect would make its arrival later than the pacer's midpoint estimate.
        await client.AuthTestAsync(CancellationToken.None);
        var card = await PostCardAsync(client, "Detained", "b1");

        var quiet = await client.PostMessageAsync(new ChatPostMessageRequest(card.Channel, "note") { ThreadTs = card.Ts }, CancellationToken.None);
        var loud = await client.PostMessageAsync(new ChatPostMessageRequest(card.Channel, "Released") { ThreadTs = card.Ts, ReplyBroadcast = true },
            CancellationToken.None);

        var sent = Slack.Messages.Single(m => m.Ts == loud.Ts);
        Assert.Equal(card.Ts, sent.ThreadTs);
        Assert.True(sent.ReplyBroadcast);
        Assert.True(sent.Body.GetProperty("reply_broadcast").GetBoolean());
        Assert.False(Slack.Messages.Single(m => m.Ts == quiet.Ts).Body.TryGetProperty("reply_broadcast", out _));
        Assert.Equal([quiet.Ts, loud.Ts], Slack.ThreadReplies(card.Channel, card.Ts).Select(m => m.Ts));
        Assert.Equal([card.Ts, loud.Ts], Slack.ChannelMessages(card.Channel).Select(m => m.Ts));
        // Replies share the channel's pacing: the fake's one-per-second rule was never broken.
        Assert.Equal(0, Slack.RateLimitedCount);
    }

    [Fact]
    public async Task ThreadReply_UnknownOrDeletedParent_ThreadError()
    {
        Slack.PerChannelInterval = null;
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        var reply = await client.PostMessageAsync(new ChatPostMessageRequest("C111", "r") { ThreadTs = card.Ts }, CancellationToken.None);

        var unknown = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.PostMessageAsync(new ChatPostMessageRequest("C111", "r") { ThreadTs = "1764150000.999999" }, CancellationToken.None));
        var onReply = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.PostMessageAsync(new ChatPostMessageRequest("C111", "r") { ThreadTs = reply.Ts }, CancellationToken.None));
        Slack.DeleteMessage("C111", card.Ts);
        var deleted = await Assert.ThrowsAsync<SlackApiException>(() =>
            client.PostMessageAsync(new ChatPostMessageRequest("C111", "r") { ThreadTs = card.Ts }, CancellationToken.None));

        Assert.All([unknown, onReply, deleted], e =>
        {
            Assert.Equal(FakeSlackServer.ThreadNotFoundError, e.Error);
            Assert.True(e.ThreadNotFound);
        });
        Assert.Equal(2, Slack.Messages.Count);
    }

    [Fact]
    public async Task OpenView_FreshTrigger_OpensAndRecordsViewWithMetadata()
    {
        var trigger = Slack.IssueTriggerId();
        var modal = UpdateStatusModal("{\"channel\":\"C111\",\"ts\":\"1.2\"}");

        var viewId = await CreateClient().OpenViewAsync(trigger, modal.View, CancellationToken.None);

        var view = Assert.Single(Slack.OpenedViews);
        Assert.Equal(viewId, view.Id);
        Assert.Equal(trigger, view.TriggerId);
        Assert.Equal("update_status", view.CallbackId);
        Assert.Equal("{\"channel\":\"C111\",\"ts\":\"1.2\"}", view.PrivateMetadata);
        Assert.Equal(4, view.View.GetProperty("blocks").GetArrayLength());
    }

    [Fact]
    public async Task OpenView_TriggerOlderThan3s_ExpiredTriggerId()
    {
        var time = new WaitAwareTimeProvider();
        Slack.Clock = time;
        var trigger = Slack.IssueTriggerId();
        time.Advance(TimeSpan.FromSeconds(3.5));

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().OpenViewAsync(trigger, UpdateStatusModal("x").View, CancellationToken.None));

        Assert.Equal("expired_trigger_id", e.Error);
        Assert.Equal(1, Slack.Calls("views.open"));
        Assert.Empty(Slack.OpenedViews);
    }

    [Fact]
    public async Task OpenView_UnknownTrigger_InvalidTriggerId()
    {
        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().OpenViewAsync("1.2.made-up", UpdateStatusModal("x").View, CancellationToken.None));

        Assert.Equal("invalid_trigger_id", e.Error);
    }

    [Fact]
    public async Task OpenView_ModalBreakingLimits_InvalidArgumentsWithMessages()
    {
        // Built by hand, past the builder: a 30-character title, inputs without submit, metadata over 3000.
        var input = new InputBlock(TextObject.Plain("Note"), new PlainTextInputElement("note")) { BlockId = "note" };
        var view = new SlackView(TextObject.Plain(new string('t', 30)), [input]) { CallbackId = "x", PrivateMetadata = new string('m', 3001) };

        var e = await Assert.ThrowsAsync<SlackApiException>(() =>
            CreateClient().OpenViewAsync(Slack.IssueTriggerId(), view, CancellationToken.None));

        Assert.Equal("invalid_arguments", e.Error);
        Assert.Contains("[ERROR] must be less than 25 characters [json-pointer:/view/title/text]", e.Details);
        Assert.Contains("[ERROR] must provide a submit property when using input blocks [json-pointer:/view]", e.Details);
        Assert.Contains("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]", e.Details);
    }

    [Fact]
    public async Task Respond_ButtonAnswer_SendsReplaceAndDeleteExplicitly()
    {
        var url = Slack.NewResponseUrl();
        var blocks = new SlackMessageBuilder().Section("Acknowledged by <@U111>").Build("Acknowledged");

        await CreateClient().RespondAsync(url, new SlashCommandResponse(blocks.Text, blocks.Blocks) { ReplaceOriginal = false, DeleteOriginal = false },
            CancellationToken.None);

        var post = Assert.Single(Slack.ResponseUrlPostsFor(url));
        Assert.False(post.ReplaceOriginal);
        Assert.False(post.DeleteOriginal);
        Assert.Equal("ephemeral", post.ResponseType);
        Assert.Equal("section", post.Body.GetProperty("blocks")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Respond_ReplaceOriginalOnButtonsResponseUrl_ReplacesTheCard()
    {
        var client = CreateClient();
        var card = await PostCardAsync(client, "Detained", "b1");
        var click = Slack.BlockActions(Slack.Messages[0], "ack");
        var answer = new SlackMessageBuilder().Section("Acknowledged").Build("Acknowledged");

        await client.RespondAsync(click.ResponseUrl!, new SlashCommandResponse(answer.Text, answer.Blocks, SlashCommandResponse.InChannel)
        {
            ReplaceOriginal = true,
            DeleteOriginal = false,
        }, CancellationToken.None);

        var now = Slack.Message(card.Channel, card.Ts)!;
        Assert.Equal("Acknowledged", now.Text);
        Assert.True(Assert.Single(now.Edits).ViaResponseUrl);
    }

    private async Task<PostedMessage> PostCardAsync(SlackApiClient client, string status, string blockId)
    {
        var card = Card(status, blockId);
        return await client.PostMessageAsync(new ChatPostMessageRequest("C111", card.Text, card.Blocks), CancellationToken.None);
    }

    private static SlackMessage Card(string status, string actionsBlockId) =>
        new SlackMessageBuilder()
            .Section($"*Amir* is {status}")
            .Actions(
            [
                new SlackButton("History", "history", "case-1"),
                new SlackButton("Acknowledge", "ack", "case-1", Style: ButtonElement.Primary),
                new SlackButton("Mute 24h", "mute", "case-1", Style: ButtonElement.Danger),
                new SlackButton("Update status", "update_status", "case-1"),
                new SlackButton("Source", "source", Url: "https://example.org/case/1"),
            ], actionsBlockId)
            .Build(status);

    internal static SlackModal UpdateStatusModal(string metadata) =>
        new SlackModalBuilder("update_status", "Update status")
            .Submit("Save")
            .Close("Cancel")
            .PrivateMetadata(metadata)
            .Select("status", "Status", "status", [new SlackOption("Detained", "detained"), new SlackOption("Released", "released")], "detained")
            .DatePicker("since", "Since", "since", new DateOnly(2026, 11, 30))
            .TextInput("source", "Source link", "source", placeholder: "https://…", optional: true)
            .TextInput("note", "Note", "note", multiline: true, maxLength: 500, optional: true)
            .Build();

    private async Task<JsonElement> RawUpdateAsync(object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Slack.ApiBaseUrl + "chat.update")
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", FakeSlackServer.DefaultBotToken);
        using var response = await Http.SendAsync(request).WaitAsync(Wait);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
