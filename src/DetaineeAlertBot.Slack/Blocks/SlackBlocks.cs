using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>A Block Kit layout block (https://docs.slack.dev/reference/block-kit/blocks).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HeaderBlock), "header")]
[JsonDerivedType(typeof(SectionBlock), "section")]
[JsonDerivedType(typeof(ContextBlock), "context")]
[JsonDerivedType(typeof(DividerBlock), "divider")]
public abstract record SlackBlock;

/// <summary>Large bold plain text; at most <see cref="SlackLimits.HeaderText"/> characters.</summary>
public sealed record HeaderBlock([property: JsonPropertyName("text")] TextObject Text) : SlackBlock;

/// <summary>A text paragraph and/or up to ten two-column fields.</summary>
public sealed record SectionBlock : SlackBlock
{
    [JsonPropertyName("text")] public TextObject? Text { get; init; }
    [JsonPropertyName("fields")] public IReadOnlyList<TextObject>? Fields { get; init; }
}

/// <summary>Small grey text; up to ten elements.</summary>
public sealed record ContextBlock([property: JsonPropertyName("elements")] IReadOnlyList<TextObject> Elements) : SlackBlock;

public sealed record DividerBlock : SlackBlock;

/// <summary>
/// A composition text object. <c>mrkdwn</c> objects we build are always <c>verbatim: true</c>, so Slack
/// does not turn plain <c>@here</c> or bare URLs in feed text into mentions or links.
/// </summary>
public sealed record TextObject(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("text")] string Text)
{
    [JsonPropertyName("verbatim")] public bool? Verbatim { get; init; }
    [JsonPropertyName("emoji")] public bool? Emoji { get; init; }

    public static TextObject Plain(string text) => new("plain_text", text) { Emoji = false };
    public static TextObject Mrkdwn(string text) => new("mrkdwn", text) { Verbatim = true };
}
