using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>Component types used in legacy (non-v2) messages and modals.
/// https://discord.com/developers/docs/components/reference#component-object-component-types</summary>
public static class ComponentType
{
    public const int ActionRow = 1;
    public const int Button = 2;
    public const int StringSelect = 3;
    public const int TextInput = 4;
    /// <summary>Label (18): the current modal wrapper of one child; read in modal submits, not written by us.</summary>
    public const int Label = 18;
}

/// <summary>Button styles. A <see cref="Link"/> button has a <c>url</c> and no <c>custom_id</c>; every other style the reverse.</summary>
public static class ButtonStyle
{
    public const int Primary = 1;
    public const int Secondary = 2;
    public const int Success = 3;
    public const int Danger = 4;
    public const int Link = 5;
}

/// <summary>Text input styles.</summary>
public static class TextInputStyle
{
    public const int Short = 1;
    public const int Paragraph = 2;
}

/// <summary>
/// One message or modal component, legacy style: an action row (type 1) holding buttons (type 2) or, in a modal, one
/// text input (type 4). Fields that do not apply to a type stay null and are not written. Build them with the factories.
/// In a modal submit, text inputs come back with <see cref="CustomId"/> and <see cref="Value"/> only.
/// https://discord.com/developers/docs/components/reference
/// </summary>
public sealed record MessageComponent
{
    [JsonPropertyName("type")] public int Type { get; init; }
    [JsonPropertyName("custom_id")] public string? CustomId { get; init; }
    [JsonPropertyName("style")] public int? Style { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("disabled")] public bool? Disabled { get; init; }
    [JsonPropertyName("min_length")] public int? MinLength { get; init; }
    [JsonPropertyName("max_length")] public int? MaxLength { get; init; }
    [JsonPropertyName("required")] public bool? Required { get; init; }
    [JsonPropertyName("value")] public string? Value { get; init; }
    [JsonPropertyName("placeholder")] public string? Placeholder { get; init; }

    /// <summary>Children of an action row.</summary>
    [JsonPropertyName("components")] public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>The single child of a Label (18); only read (modal submits of newer clients).</summary>
    [JsonPropertyName("component")] public MessageComponent? Component { get; init; }

    public static MessageComponent ActionRow(params IReadOnlyList<MessageComponent> children) =>
        new() { Type = ComponentType.ActionRow, Components = children };

    /// <summary>An interactive button (styles 1-4) that sends a MESSAGE_COMPONENT interaction with <paramref name="customId"/>.</summary>
    public static MessageComponent Button(int style, string label, string customId, bool disabled = false)
    {
        if (style is < ButtonStyle.Primary or > ButtonStyle.Danger)
        {
            throw new ArgumentOutOfRangeException(nameof(style), style, "An interactive button has style 1-4; use LinkButton for style 5.");
        }

        return new() { Type = ComponentType.Button, Style = style, Label = label, CustomId = customId, Disabled = disabled ? true : null };
    }

    /// <summary>A link button (style 5): opens <paramref name="url"/>, sends no interaction.</summary>
    public static MessageComponent LinkButton(string label, string url, bool disabled = false) =>
        new() { Type = ComponentType.Button, Style = ButtonStyle.Link, Label = label, Url = url, Disabled = disabled ? true : null };

    /// <summary>A text input for a modal (wrap it in its own <see cref="ActionRow"/>).</summary>
    public static MessageComponent TextInput(string customId, string label, int style = TextInputStyle.Short, bool required = true,
        string? value = null, string? placeholder = null, int? minLength = null, int? maxLength = null) =>
        new()
        {
            Type = ComponentType.TextInput, CustomId = customId, Label = label, Style = style, Required = required,
            Value = value, Placeholder = placeholder, MinLength = minLength, MaxLength = maxLength,
        };
}

/// <summary>A reply reference on Create Message: <c>{message_id, channel_id?, fail_if_not_exists?}</c>; read back on messages.
/// https://discord.com/developers/docs/resources/message#message-reference-structure</summary>
public sealed record MessageReference
{
    [JsonPropertyName("message_id")] public string? MessageId { get; init; }
    [JsonPropertyName("channel_id")] public string? ChannelId { get; init; }
    [JsonPropertyName("guild_id")] public string? GuildId { get; init; }
    /// <summary>Default true: Discord rejects the message when the referenced one does not exist.</summary>
    [JsonPropertyName("fail_if_not_exists")] public bool? FailIfNotExists { get; init; }

    /// <summary>A reply to <paramref name="messageId"/> in the same channel.</summary>
    public static MessageReference ReplyTo(string messageId, bool? failIfNotExists = null) =>
        new() { MessageId = messageId, FailIfNotExists = failIfNotExists };
}
