using System.Text.Json;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Tests.Cards;

/// <summary>Components, modals, references and message-delete events on the wire (components/reference.mdx,
/// receiving-and-responding.mdx, gateway-events.mdx), and the client-side limits.</summary>
public class ComponentModelTests
{
    private static readonly IReadOnlyList<MessageComponent> CardButtons =
    [
        MessageComponent.ActionRow(
            MessageComponent.Button(ButtonStyle.Secondary, "History", "hist:C123"),
            MessageComponent.Button(ButtonStyle.Primary, "Acknowledge", "ack:C123:v7"),
            MessageComponent.Button(ButtonStyle.Secondary, "Mute 24h", "mute:C123:86400"),
            MessageComponent.Button(ButtonStyle.Success, "Update status", "upd:C123"),
            MessageComponent.LinkButton("Source", "https://example.org/case/123")),
    ];

    private static void AssertJson(string expected, byte[] actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), System.Text.Encoding.UTF8.GetString(actual));

    [Fact]
    public void CreateMessage_CardWithButtonsAndReply_SerialisedLikeDiscordExpects()
    {
        var request = new CreateMessageRequest
        {
            Embeds = [new Embed { Title = "Case C123" }],
            AllowedMentions = AllowedMentions.None,
            Components = CardButtons,
            MessageReference = MessageReference.ReplyTo("1300000000000000007", failIfNotExists: false),
        };

        AssertJson("""
            {"embeds":[{"title":"Case C123"}],"allowed_mentions":{"parse":[]},
             "components":[{"type":1,"components":[
               {"type":2,"custom_id":"hist:C123","style":2,"label":"History"},
               {"type":2,"custom_id":"ack:C123:v7","style":1,"label":"Acknowledge"},
               {"type":2,"custom_id":"mute:C123:86400","style":2,"label":"Mute 24h"},
               {"type":2,"custom_id":"upd:C123","style":3,"label":"Update status"},
               {"type":2,"style":5,"label":"Source","url":"https://example.org/case/123"}]}],
             "message_reference":{"message_id":"1300000000000000007","fail_if_not_exists":false}}
            """, DiscordJson.Serialize(request));
    }

    [Fact]
    public void EditMessage_OnlyTheFieldsSet_AndEmptyComponentsRemoveThem()
    {
        AssertJson("""{"embeds":[{"title":"Released"}],"components":[],"allowed_mentions":{"parse":[]}}""",
            DiscordJson.Serialize(new EditMessageRequest { Embeds = [new Embed { Title = "Released" }], Components = [], AllowedMentions = AllowedMentions.None }));
    }

    [Fact]
    public void Modal_Serialised_AsType9WithRowsOfOneTextInput()
    {
        var response = new InteractionResponse
        {
            Type = InteractionCallbackType.Modal,
            Data = InteractionCallbackData.Modal("status:C123", "Update status",
                MessageComponent.ActionRow(MessageComponent.TextInput("status", "Status", value: "detained", maxLength: 40)),
                MessageComponent.ActionRow(MessageComponent.TextInput("note", "Note", TextInputStyle.Paragraph, required: false, placeholder: "What changed?"))),
        };

        AssertJson("""
            {"type":9,"data":{"custom_id":"status:C123","title":"Update status","components":[
              {"type":1,"components":[{"type":4,"custom_id":"status","style":1,"label":"Status","max_length":40,"required":true,"value":"detained"}]},
              {"type":1,"components":[{"type":4,"custom_id":"note","style":2,"label":"Note","required":false,"placeholder":"What changed?"}]}]}}
            """, DiscordJson.Serialize(response));
        ComponentLimits.Validate(response);
    }

    [Fact]
    public void ComponentInteraction_DocsShape_Parsed()
    {
        var interaction = DiscordJson.ParseInteraction("""
            {"id":"1","application_id":"2","type":3,"token":"t","version":1,"guild_id":"3","channel_id":"4",
             "data":{"custom_id":"ack:C123:v7","component_type":2},
             "member":{"user":{"id":"5"},"roles":["6"],"permissions":"3072"},
             "message":{"id":"7","channel_id":"4","content":"","components":[{"type":1,"components":[{"type":2,"style":1,"label":"Acknowledge","custom_id":"ack:C123:v7"}]}]}}
            """u8)!;

        Assert.Equal(InteractionType.MessageComponent, interaction.Type);
        Assert.Equal(("ack:C123:v7", 2), (interaction.Data!.CustomId, interaction.Data.ComponentType));
        Assert.Equal(("7", "4"), (interaction.Message!.Id, interaction.Message.ChannelId));
        Assert.Equal("ack:C123:v7", interaction.Message.Components![0].Components![0].CustomId);
        Assert.Equal("5", interaction.Invoker!.Id);
    }

    [Fact]
    public void ModalSubmit_LegacyRowsAndLabels_ValuesByCustomId()
    {
        var interaction = DiscordJson.ParseInteraction("""
            {"id":"1","application_id":"2","type":5,"token":"t","version":1,
             "data":{"custom_id":"status:C123","components":[
               {"type":1,"components":[{"type":4,"custom_id":"status","value":"released"}]},
               {"type":18,"id":2,"component":{"type":4,"id":3,"custom_id":"note","value":"court order"}},
               {"type":1,"components":[{"type":4,"custom_id":"since","value":""}]}]}}
            """u8)!;

        var values = interaction.Data!.ModalValues();

        Assert.Equal("status:C123", interaction.Data.CustomId);
        Assert.Equal(3, values.Count);
        Assert.Equal("released", values["status"]);
        Assert.Equal("court order", interaction.Data.ModalValue("note"));
        Assert.Equal("", values["since"]);
        Assert.Null(interaction.Data.ModalValue("missing"));
    }

    [Fact]
    public void MessageDelete_DocsPayloads_Parsed()
    {
        var one = JsonDocument.Parse("""{"id":"10","channel_id":"20","guild_id":"30"}""").RootElement;
        var bulk = JsonDocument.Parse("""{"ids":["10","11"],"channel_id":"20"}""").RootElement;

        Assert.Equal(new MessageDeleteEvent { Id = "10", ChannelId = "20", GuildId = "30" }, DiscordJson.ParseMessageDelete(one));
        Assert.Equal(["10", "11"], DiscordJson.ParseMessageDeleteBulk(bulk)!.Ids);
        var deleted = DiscordJson.ParseDeletedMessages(GatewayEvents.MessageDelete, one)!.Value;
        Assert.Equal("20", deleted.ChannelId);
        Assert.Equal(["10"], deleted.MessageIds);
        Assert.Equal(["10", "11"], DiscordJson.ParseDeletedMessages(GatewayEvents.MessageDeleteBulk, bulk)!.Value.MessageIds);
        Assert.Null(DiscordJson.ParseDeletedMessages("MESSAGE_CREATE", one));
        Assert.Null(DiscordJson.ParseMessageDelete(JsonDocument.Parse("""{"id":"10"}""").RootElement));
        Assert.Null(DiscordJson.ParseMessageDelete(JsonDocument.Parse("[]").RootElement));
    }

    [Fact]
    public void Intents_GuildMessagesIsBitNine()
    {
        Assert.Equal(512, GatewayIntents.GuildMessages);
        Assert.Equal(513, GatewayIntents.Guilds | GatewayIntents.GuildMessages);
    }

    public static TheoryData<string, IReadOnlyList<MessageComponent>> InvalidMessages => new()
    {
        { "6 action rows", Enumerable.Range(0, 6).Select(i => MessageComponent.ActionRow(MessageComponent.Button(1, "b", $"b{i}"))).ToList() },
        { "6 buttons in a row", [MessageComponent.ActionRow([.. Enumerable.Range(0, 6).Select(i => MessageComponent.Button(1, "b", $"b{i}"))])] },
        { "empty row", [MessageComponent.ActionRow()] },
        { "custom_id of 101", [MessageComponent.ActionRow(MessageComponent.Button(1, "b", new string('x', 101)))] },
        { "empty custom_id", [MessageComponent.ActionRow(MessageComponent.Button(1, "b", ""))] },
        { "duplicate custom_id", [MessageComponent.ActionRow(MessageComponent.Button(1, "a", "same")), MessageComponent.ActionRow(MessageComponent.Button(1, "b", "same"))] },
        { "label of 81", [MessageComponent.ActionRow(MessageComponent.Button(1, new string('l', 81), "b"))] },
        { "link url of 513", [MessageComponent.ActionRow(MessageComponent.LinkButton("Source", "https://x/" + new string('u', 503)))] },
        { "link with custom_id", [MessageComponent.ActionRow(MessageComponent.LinkButton("Source", "https://x/") with { CustomId = "src" })] },
        { "button with url", [MessageComponent.ActionRow(MessageComponent.Button(1, "b", "b") with { Url = "https://x/" })] },
        { "text input in a message", [MessageComponent.ActionRow(MessageComponent.TextInput("t", "T"))] },
        { "button outside a row", [MessageComponent.Button(1, "b", "b")] },
    };

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void MessageLimits_Violated_ArgumentException(string why, IReadOnlyList<MessageComponent> rows)
    {
        var e = Assert.Throws<ArgumentException>(() => ComponentLimits.ValidateMessage(rows));
        Assert.StartsWith("Invalid Discord components", e.Message, StringComparison.Ordinal);
        Assert.NotNull(why);
    }

    [Fact]
    public void MessageLimits_AtTheLimits_Accepted()
    {
        var rows = Enumerable.Range(0, 5).Select(r => MessageComponent.ActionRow(
            [.. Enumerable.Range(0, 5).Select(c => MessageComponent.Button(1, new string('l', 80), $"{r}:{c}".PadRight(100, 'x')))])).ToList();
        rows[4] = MessageComponent.ActionRow(MessageComponent.LinkButton("Source", "https://x/" + new string('u', 502)));

        ComponentLimits.ValidateMessage(rows);
    }

    private static InteractionCallbackData Modal(string title = "Update status", params MessageComponent[] inputs) =>
        InteractionCallbackData.Modal("m", title, [.. (inputs.Length == 0 ? [MessageComponent.TextInput("status", "Status")] : inputs).Select(i => MessageComponent.ActionRow(i))]);

    public static TheoryData<string, InteractionCallbackData> InvalidModals => new()
    {
        { "title of 46", Modal(new string('t', 46)) },
        { "empty title", Modal("") },
        { "6 rows", Modal("t", [.. Enumerable.Range(0, 6).Select(i => MessageComponent.TextInput($"i{i}", "L"))]) },
        { "no rows", InteractionCallbackData.Modal("m", "t") },
        { "two inputs in a row", InteractionCallbackData.Modal("m", "t", MessageComponent.ActionRow(MessageComponent.TextInput("a", "A"), MessageComponent.TextInput("b", "B"))) },
        { "label of 46", Modal("t", MessageComponent.TextInput("a", new string('l', 46))) },
        { "style 3", Modal("t", MessageComponent.TextInput("a", "A", style: 3)) },
        { "value of 4001", Modal("t", MessageComponent.TextInput("a", "A", value: new string('v', 4001))) },
        { "placeholder of 101", Modal("t", MessageComponent.TextInput("a", "A", placeholder: new string('p', 101))) },
        { "duplicate input ids", Modal("t", MessageComponent.TextInput("a", "A"), MessageComponent.TextInput("a", "B")) },
        { "button in a modal", Modal("t", MessageComponent.Button(1, "b", "b")) },
        { "modal custom_id of 101", InteractionCallbackData.Modal(new string('m', 101), "t", MessageComponent.ActionRow(MessageComponent.TextInput("a", "A"))) },
    };

    [Theory]
    [MemberData(nameof(InvalidModals))]
    public void ModalLimits_Violated_ArgumentException(string why, InteractionCallbackData modal)
    {
        Assert.Throws<ArgumentException>(() => ComponentLimits.Validate(new InteractionResponse { Type = InteractionCallbackType.Modal, Data = modal }));
        Assert.NotNull(why);
    }

    [Fact]
    public void ModalLimits_NewCaseFormOfFiveRows_Accepted()
    {
        ComponentLimits.ValidateModal(Modal(new string('t', 45),
            MessageComponent.TextInput("name", new string('l', 45), value: new string('v', 4000)),
            MessageComponent.TextInput("aliases", "Aliases", required: false, placeholder: new string('p', 100)),
            MessageComponent.TextInput("status", "Status"),
            MessageComponent.TextInput("since", "Since (YYYY-MM-DD)", maxLength: 10),
            MessageComponent.TextInput("source", "Source link", TextInputStyle.Paragraph)));
    }
}
