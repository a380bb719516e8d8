using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>A Block Kit layout block (https://docs.slack.dev/reference/block-kit/blocks).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(HeaderBlock), "header")]
[JsonDerivedType(typeof(SectionBlock), "section")]
[JsonDerivedType(typeof(ContextBlock), "context")]
[JsonDerivedType(typeof(DividerBlock), "divider")]
[JsonDerivedType(typeof(ActionsBlock), "actions")]
[JsonDerivedType(typeof(InputBlock), "input")]
public abstract record SlackBlock
{
    /// <summary>At most <see cref="SlackLimits.BlockId"/> characters; Slack wants a fresh one per message iteration.</summary>
    [JsonPropertyName("block_id")] public string? BlockId { get; init; }
}

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

/// <summary>Interactive elements in a row; at most <see cref="SlackLimits.ActionsElements"/>
/// (https://docs.slack.dev/reference/block-kit/blocks/actions-block).</summary>
public sealed record ActionsBlock([property: JsonPropertyName("elements")] IReadOnlyList<BlockElement> Elements) : SlackBlock;

/// <summary>A labelled form field of a modal (https://docs.slack.dev/reference/block-kit/blocks/input-block). Only input
/// blocks appear in <c>view.state.values</c> on submit.</summary>
public sealed record InputBlock(
    [property: JsonPropertyName("label")] TextObject Label,
    [property: JsonPropertyName("element")] BlockElement Element) : SlackBlock
{
    [JsonPropertyName("optional")] public bool? Optional { get; init; }
    [JsonPropertyName("hint")] public TextObject? Hint { get; init; }
}

/// <summary>An interactive block element; <c>action_id</c> names it in the payloads (at most <see cref="SlackLimits.ActionId"/>).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ButtonElement), "button")]
[JsonDerivedType(typeof(PlainTextInputElement), "plain_text_input")]
[JsonDerivedType(typeof(StaticSelectElement), "static_select")]
[JsonDerivedType(typeof(DatePickerElement), "datepicker")]
public abstract record BlockElement([property: JsonPropertyName("action_id")] string ActionId);

/// <summary>A button (https://docs.slack.dev/reference/block-kit/block-elements/button-element). A <c>url</c> makes it a
/// link button: Slack opens the URL and still sends a block_actions payload, which must be acked.</summary>
public sealed record ButtonElement(
    [property: JsonPropertyName("text")] TextObject Text,
    string ActionId) : BlockElement(ActionId)
{
    public const string Primary = "primary";
    public const string Danger = "danger";

    [JsonPropertyName("value")] public string? Value { get; init; }
    [JsonPropertyName("url")] public string? Url { get; init; }

    /// <summary>null (default grey), <see cref="Primary"/> or <see cref="Danger"/>.</summary>
    [JsonPropertyName("style")] public string? Style { get; init; }
}

/// <summary>A free-text field (https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element).</summary>
public sealed record PlainTextInputElement(string ActionId) : BlockElement(ActionId)
{
    [JsonPropertyName("multiline")] public bool? Multiline { get; init; }
    [JsonPropertyName("initial_value")] public string? InitialValue { get; init; }
    [JsonPropertyName("max_length")] public int? MaxLength { get; init; }
    [JsonPropertyName("placeholder")] public TextObject? Placeholder { get; init; }
}

/// <summary>A single-choice menu of up to <see cref="SlackLimits.SelectOptions"/> options
/// (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element).</summary>
public sealed record StaticSelectElement(
    string ActionId,
    [property: JsonPropertyName("options")] IReadOnlyList<SelectOption> Options) : BlockElement(ActionId)
{
    [JsonPropertyName("initial_option")] public SelectOption? InitialOption { get; init; }
    [JsonPropertyName("placeholder")] public TextObject? Placeholder { get; init; }
}

/// <summary>A calendar date picker; dates are <c>YYYY-MM-DD</c>
/// (https://docs.slack.dev/reference/block-kit/block-elements/date-picker-element).</summary>
public sealed record DatePickerElement(string ActionId) : BlockElement(ActionId)
{
    [JsonPropertyName("initial_date")] public string? InitialDate { get; init; }
    [JsonPropertyName("placeholder")] public TextObject? Placeholder { get; init; }
}

/// <summary>An option object: plain text and a value, each at most <see cref="SlackLimits.OptionText"/> /
/// <see cref="SlackLimits.OptionValue"/> characters.</summary>
public sealed record SelectOption(
    [property: JsonPropertyName("text")] TextObject Text,
    [property: JsonPropertyName("value")] string Value);

/// <summary>A modal view for views.open (https://docs.slack.dev/reference/views/modal-views); build it with
/// <see cref="SlackModalBuilder"/>, which enforces the limits.</summary>
public sealed record SlackView(
    [property: JsonPropertyName("title")] TextObject Title,
    [property: JsonPropertyName("blocks")] IReadOnlyList<SlackBlock> Blocks)
{
    [JsonPropertyName("type")] public string Type { get; init; } = "modal";
    [JsonPropertyName("callback_id")] public string? CallbackId { get; init; }
    [JsonPropertyName("submit")] public TextObject? Submit { get; init; }
    [JsonPropertyName("close")] public TextObject? Close { get; init; }

    /// <summary>Handed back verbatim in view_submission: carry what the submit handler needs (channel, ts, ...).</summary>
    [JsonPropertyName("private_metadata")] public string? PrivateMetadata { get; init; }
}

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
