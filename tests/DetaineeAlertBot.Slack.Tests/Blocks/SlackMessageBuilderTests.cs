using System.Text.Json;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;

namespace DetaineeAlertBot.Slack.Tests.Blocks;

public sealed class SlackMessageBuilderTests
{
    [Fact]
    public void Header_LongerThan150_IsCutTo150WithEllipsis()
    {
        var message = new SlackMessageBuilder().Header(new string('x', 400)).Build("fallback");

        var header = Assert.IsType<HeaderBlock>(Assert.Single(message.Blocks));
        Assert.Equal(SlackLimits.HeaderText, header.Text.Text.Length);
        Assert.EndsWith(SlackText.Ellipsis, header.Text.Text, StringComparison.Ordinal);
        Assert.Equal("plain_text", header.Text.Type);
        Assert.Single(message.Truncations);
    }

    [Fact]
    public void Section_LongerThan3000_IsCutTo3000()
    {
        var message = new SlackMessageBuilder().Section(new string('y', 5000)).Build("fallback");

        var section = Assert.IsType<SectionBlock>(Assert.Single(message.Blocks));
        Assert.Equal(SlackLimits.SectionText, section.Text!.Text.Length);
    }

    [Fact]
    public void Fields_MoreThanTenAndTooLong_KeepsTenEachAtMost2000()
    {
        var fields = Enumerable.Range(0, 14).Select(i => new string('f', i == 0 ? 2500 : 500));

        var message = new SlackMessageBuilder().Fields(fields).Build("fallback");

        var section = Assert.IsType<SectionBlock>(Assert.Single(message.Blocks));
        Assert.Equal(SlackLimits.SectionFields, section.Fields!.Count);
        Assert.Equal(SlackLimits.FieldText, section.Fields[0].Text.Length);
        Assert.All(section.Fields, f => Assert.True(f.Text.Length <= SlackLimits.FieldText));
        Assert.NotEmpty(message.Truncations);
    }

    [Fact]
    public void Fields_EmptyValues_AreSkippedBecauseSlackRejectsEmptyText()
    {
        var message = new SlackMessageBuilder().Fields(["*Country*\nAfghanistan", "", "  "]).Build("fallback");

        var section = Assert.IsType<SectionBlock>(Assert.Single(message.Blocks));
        Assert.Single(section.Fields!);
    }

    [Fact]
    public void Build_MoreThan50Blocks_KeepsFifty()
    {
        var builder = new SlackMessageBuilder();
        for (var i = 0; i < 70; i++)
        {
            builder.Section($"line {i}");
        }

        var message = builder.Build("fallback");

        Assert.Equal(SlackLimits.BlocksPerMessage, message.Blocks.Count);
        Assert.Equal(20, message.Truncations.Count);
    }

    [Fact]
    public void Build_ManyLongSections_TotalTextStaysUnderBudget()
    {
        var builder = new SlackMessageBuilder();
        for (var i = 0; i < 10; i++)
        {
            builder.Section(new string('z', 2900));
        }

        var message = builder.Build("fallback");

        var total = message.Blocks.OfType<SectionBlock>().Sum(s => s.Text!.Text.Length);
        Assert.True(total <= SlackLimits.TotalBlockText, $"total {total}");
        Assert.True(SlackLimits.TotalBlockText < 12_000);
    }

    [Fact]
    public void Build_FallbackWithMentions_IsEscapedAndCut()
    {
        var message = new SlackMessageBuilder().Build("<!channel> " + new string('a', 5000));

        Assert.StartsWith("&lt;!channel&gt;", message.Text, StringComparison.Ordinal);
        Assert.True(message.Text.Length <= SlackLimits.FallbackText);
    }

    [Fact]
    public void Header_MentionInName_IsEscapedPlainText()
    {
        var message = new SlackMessageBuilder().Header("<!channel> @here @everyone").Build("x");

        var header = Assert.IsType<HeaderBlock>(Assert.Single(message.Blocks));
        Assert.Equal("&lt;!channel&gt; @here @everyone", header.Text.Text);
        Assert.Equal("plain_text", header.Text.Type);
    }

    [Fact]
    public void Serialize_Message_HasBlockTypesAndVerbatimMrkdwn()
    {
        var message = new SlackMessageBuilder()
            .Header("Title")
            .Section("*Status changed*")
            .Fields(["*Country*\nX"])
            .Context(["case 1"])
            .Divider()
            .Build("fallback");
        var request = new ChatPostMessageRequest("C1", message.Text, message.Blocks);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(request, SlackJson.ChatPostMessageRequest));

        var blocks = json.RootElement.GetProperty("blocks");
        Assert.Equal(["header", "section", "section", "context", "divider"],
            blocks.EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        Assert.True(blocks[1].GetProperty("text").GetProperty("verbatim").GetBoolean());
        Assert.True(blocks[2].GetProperty("fields")[0].GetProperty("verbatim").GetBoolean());
        Assert.True(blocks[3].GetProperty("elements")[0].GetProperty("verbatim").GetBoolean());
        Assert.False(json.RootElement.GetProperty("unfurl_links").GetBoolean());
        Assert.False(json.RootElement.GetProperty("unfurl_media").GetBoolean());
        Assert.False(json.RootElement.TryGetProperty("link_names", out _));
        Assert.False(json.RootElement.TryGetProperty("metadata", out _));
    }
}
