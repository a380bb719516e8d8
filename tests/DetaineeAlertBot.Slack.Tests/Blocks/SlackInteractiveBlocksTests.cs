using System.Text.Json;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;

namespace DetaineeAlertBot.Slack.Tests.Blocks;

public sealed class SlackInteractiveBlocksTests
{
    [Fact]
    public void Actions_Serialised_AsSlackWritesThem()
    {
        var message = new SlackMessageBuilder()
            .Actions([new SlackButton("Acknowledge", "ack", "case-1", Style: ButtonElement.Primary), new SlackButton("Source", "source", Url: "https://example.org/a")], "b-1")
            .Build("x");

        var json = JsonSerializer.SerializeToElement(message.Blocks, SlackJsonContext.Default.IReadOnlyListSlackBlock)[0];

        Assert.Equal("actions", json.GetProperty("type").GetString());
        Assert.Equal("b-1", json.GetProperty("block_id").GetString());
        var ack = json.GetProperty("elements")[0];
        Assert.Equal("button", ack.GetProperty("type").GetString());
        Assert.Equal("ack", ack.GetProperty("action_id").GetString());
        Assert.Equal("case-1", ack.GetProperty("value").GetString());
        Assert.Equal("primary", ack.GetProperty("style").GetString());
        Assert.Equal("plain_text", ack.GetProperty("text").GetProperty("type").GetString());
        Assert.False(ack.TryGetProperty("url", out _));
        var link = json.GetProperty("elements")[1];
        Assert.Equal("https://example.org/a", link.GetProperty("url").GetString());
        Assert.False(link.TryGetProperty("value", out _));
        Assert.False(link.TryGetProperty("style", out _));
    }

    [Fact]
    public void Actions_LongLabelCutMoreThan25Dropped_Reported()
    {
        var buttons = Enumerable.Range(0, 27).Select(i => new SlackButton(i == 0 ? new string('x', 80) + " <&>" : "b" + i, "a" + i));

        var message = new SlackMessageBuilder().Actions(buttons).Build("x");

        var block = Assert.IsType<ActionsBlock>(Assert.Single(message.Blocks));
        Assert.Equal(SlackLimits.ActionsElements, block.Elements.Count);
        var first = Assert.IsType<ButtonElement>(block.Elements[0]);
        Assert.Equal(SlackLimits.ButtonText, first.Text.Text.Length);
        Assert.EndsWith(SlackText.Ellipsis, first.Text.Text, StringComparison.Ordinal);
        Assert.Contains(message.Truncations, t => t.StartsWith("button text cut", StringComparison.Ordinal));
        Assert.Equal(2, message.Truncations.Count(t => t.StartsWith("button dropped", StringComparison.Ordinal)));
    }

    public static TheoryData<SlackButton> BadButtons => new()
    {
        new SlackButton("ok", new string('a', 256)),
        new SlackButton("ok", ""),
        new SlackButton("", "a"),
        new SlackButton("ok", "a", new string('v', 2001)),
        new SlackButton("ok", "a", Url: "https://example.org/" + new string('u', 3000)),
        new SlackButton("ok", "a", Url: "javascript:alert(1)"),
        new SlackButton("ok", "a", Style: "green"),
    };

    [Theory]
    [MemberData(nameof(BadButtons))]
    public void Actions_IdValueOrUrlOverLimit_Throws(SlackButton button) =>
        Assert.ThrowsAny<ArgumentException>(() => new SlackMessageBuilder().Actions([button]));

    [Fact]
    public void Actions_BlockIdOver255_Throws() =>
        Assert.ThrowsAny<ArgumentException>(() => new SlackMessageBuilder().Actions([new SlackButton("ok", "a")], new string('b', 256)));

    [Fact]
    public void Actions_LimitsAtTheEdge_Accepted()
    {
        var message = new SlackMessageBuilder()
            .Actions([new SlackButton(new string('t', 75), new string('a', 255), new string('v', 2000), "https://example.org/" + new string('u', 2980))], new string('b', 255))
            .Build("x");

        Assert.Empty(message.Truncations);
    }

    [Fact]
    public void Modal_NewCase_SerialisedWithoutNulls()
    {
        var modal = new SlackModalBuilder("new_case", "New case")
            .Submit("Create").Close("Cancel").PrivateMetadata("{\"channel\":\"C111\"}")
            .TextInput("name", "Name", "name", maxLength: 200)
            .TextInput("aliases", "Aliases", "aliases", optional: true, hint: "Comma separated")
            .Select("status", "Status", "status", [new SlackOption("Detained", "detained"), new SlackOption("Released", "released")], "released")
            .DatePicker("since", "Since", "since", new DateOnly(2026, 1, 2))
            .Build();

        var json = JsonSerializer.SerializeToElement(modal.View, SlackJson.SlackView);

        Assert.Empty(modal.Truncations);
        Assert.Equal("modal", json.GetProperty("type").GetString());
        Assert.Equal("new_case", json.GetProperty("callback_id").GetString());
        Assert.Equal("New case", json.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("Create", json.GetProperty("submit").GetProperty("text").GetString());
        var blocks = json.GetProperty("blocks");
        Assert.Equal("input", blocks[0].GetProperty("type").GetString());
        Assert.Equal("name", blocks[0].GetProperty("block_id").GetString());
        Assert.Equal("plain_text_input", blocks[0].GetProperty("element").GetProperty("type").GetString());
        Assert.Equal(200, blocks[0].GetProperty("element").GetProperty("max_length").GetInt32());
        Assert.False(blocks[0].TryGetProperty("optional", out _));
        Assert.False(blocks[0].GetProperty("element").TryGetProperty("initial_value", out _));
        Assert.True(blocks[1].GetProperty("optional").GetBoolean());
        Assert.Equal("Comma separated", blocks[1].GetProperty("hint").GetProperty("text").GetString());
        var select = blocks[2].GetProperty("element");
        Assert.Equal("static_select", select.GetProperty("type").GetString());
        Assert.Equal(2, select.GetProperty("options").GetArrayLength());
        Assert.Equal("released", select.GetProperty("initial_option").GetProperty("value").GetString());
        Assert.Equal("2026-01-02", blocks[3].GetProperty("element").GetProperty("initial_date").GetString());
        Assert.Equal("datepicker", blocks[3].GetProperty("element").GetProperty("type").GetString());
    }

    [Fact]
    public void Modal_LongTextsCut_Reported()
    {
        var modal = new SlackModalBuilder("c", "Update the status of this case please")
            .Submit("Save all of these changes now")
            .Select("s", "Status", "s", Enumerable.Range(0, 105).Select(i => new SlackOption(new string('o', 80), "v" + i)), "v104")
            .TextInput("note", "Note", "note", initialValue: new string('n', 600), maxLength: 500)
            .Build();

        Assert.Equal(SlackLimits.ModalTitle, modal.View.Title.Text.Length);
        Assert.Equal(SlackLimits.ModalButton, modal.View.Submit!.Text.Length);
        var select = Assert.IsType<StaticSelectElement>(Assert.IsType<InputBlock>(modal.View.Blocks[0]).Element);
        Assert.Equal(SlackLimits.SelectOptions, select.Options.Count);
        Assert.Equal(SlackLimits.OptionText, select.Options[0].Text.Text.Length);
        Assert.Null(select.InitialOption);
        Assert.Equal(500, Assert.IsType<PlainTextInputElement>(Assert.IsType<InputBlock>(modal.View.Blocks[1]).Element).InitialValue!.Length);
        Assert.Contains(modal.Truncations, t => t.StartsWith("modal title cut", StringComparison.Ordinal));
        Assert.Contains(modal.Truncations, t => t.StartsWith("initial option of s left out", StringComparison.Ordinal));
        Assert.Equal(5, modal.Truncations.Count(t => t.StartsWith("option dropped", StringComparison.Ordinal)));
    }

    [Fact]
    public void Modal_MoreThan100Blocks_Dropped()
    {
        var builder = new SlackModalBuilder("c", "t").Submit("ok");
        for (var i = 0; i < 101; i++)
        {
            builder.TextInput("b" + i, "L", "a");
        }

        var modal = builder.Build();

        Assert.Equal(SlackLimits.ModalBlocks, modal.View.Blocks.Count);
        Assert.Single(modal.Truncations);
    }

    [Fact]
    public void Modal_IdsAndMetadataOverLimit_Throw()
    {
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder(new string('c', 256), "t"));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", " "));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").PrivateMetadata(new string('m', 3001)));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").TextInput(new string('b', 256), "L", "a"));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").TextInput("b", "L", new string('a', 256)));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").TextInput("b", "L", "a", maxLength: 3001));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").TextInput("b", "L", "a").DatePicker("b", "L", "d"));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").Select("s", "L", "s", [new SlackOption("x", new string('v', 76))]));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").Select("s", "L", "s", []));
        Assert.ThrowsAny<ArgumentException>(() => new SlackModalBuilder("c", "t").TextInput("b", "", "a"));
        new SlackModalBuilder("c", "t").PrivateMetadata(new string('m', 3000));
    }

    [Fact]
    public void Modal_InputsWithoutSubmit_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new SlackModalBuilder("c", "t").TextInput("b", "L", "a").Build());

    [Fact]
    public void InteractionResponse_Errors_SerialisedAsResponseAction()
    {
        var json = JsonSerializer.Serialize(InteractionResponse.WithErrors(new Dictionary<string, string> { ["since"] = "bad date" }), SlackJson.InteractionResponse);

        Assert.Equal("""{"response_action":"errors","errors":{"since":"bad date"}}""", json);
    }

    [Fact]
    public void FromFormBody_PlusAndPercentEncoding_Decoded()
    {
        var json = """{"type":"view_submission","view":{"id":"V1","callback_id":"cb","private_metadata":"a+b","state":{"values":{"n":{"n":{"type":"plain_text_input","value":"x y&z"}},"s":{"s":{"type":"static_select","selected_option":{"value":"released","text":{"type":"plain_text","text":"Released"}}}},"d":{"d":{"type":"datepicker","selected_date":"2026-11-30"}}}}}}""";
        // Form encoding as browsers and Slack write it: spaces as '+', a literal '+' as %2B.
        var body = "payload=" + Uri.EscapeDataString(json).Replace("%20", "+", StringComparison.Ordinal);

        var payload = InteractionPayload.FromFormBody(body);

        Assert.Equal(InteractionPayload.ViewSubmission, payload.Type);
        Assert.Equal("a+b", payload.View!.PrivateMetadata);
        Assert.Equal("x y&z", payload.View.GetValue("n", "n"));
        Assert.Equal("released", payload.View.GetValue("s", "s"));
        Assert.Equal("2026-11-30", payload.View.GetValue("d", "d"));
    }

    [Fact]
    public void FromFormBody_NoPayloadField_Throws() =>
        Assert.Throws<FormatException>(() => InteractionPayload.FromFormBody("ssl_check=1&token=x"));
}
