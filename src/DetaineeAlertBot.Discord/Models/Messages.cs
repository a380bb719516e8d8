using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>Body of Create Message (<c>POST /channels/{channel.id}/messages</c>).</summary>
/// <remarks>See https://discord.com/developers/docs/resources/message#create-message.</remarks>
public sealed record CreateMessageRequest
{
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("embeds")] public IReadOnlyList<Embed>? Embeds { get; init; }
    [JsonPropertyName("allowed_mentions")] public AllowedMentions? AllowedMentions { get; init; }

    /// <summary>At most 25 characters; echoed back and, with <see cref="EnforceNonce"/>, de-duplicated for a few minutes.</summary>
    [JsonPropertyName("nonce")] public string? Nonce { get; init; }
    [JsonPropertyName("enforce_nonce")] public bool? EnforceNonce { get; init; }
    [JsonPropertyName("flags")] public int? Flags { get; init; }

    /// <summary>Action rows of buttons; checked against <see cref="ComponentLimits"/> before sending.</summary>
    [JsonPropertyName("components")] public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>Makes the message a reply (e.g. to a case card).</summary>
    [JsonPropertyName("message_reference")] public MessageReference? MessageReference { get; init; }
}

/// <summary>Body of Edit Message (<c>PATCH /channels/{channel.id}/messages/{message.id}</c>): every field optional; an
/// absent one is left as it is. Send <see cref="AllowedMentions"/> on every edit: without it Discord re-parses the content
/// with the default allowances (everyone, roles, users), whatever the create request said.</summary>
/// <remarks>See https://discord.com/developers/docs/resources/message#edit-message. <c>components: []</c> removes all components.</remarks>
public sealed record EditMessageRequest
{
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("embeds")] public IReadOnlyList<Embed>? Embeds { get; init; }
    [JsonPropertyName("components")] public IReadOnlyList<MessageComponent>? Components { get; init; }
    [JsonPropertyName("allowed_mentions")] public AllowedMentions? AllowedMentions { get; init; }
}

/// <summary>Which mentions in a message may ping. <see cref="None"/> pings nobody.</summary>
public sealed record AllowedMentions
{
    /// <summary><c>{"parse": []}</c>: suppresses every ping, whatever the text contains.</summary>
    public static AllowedMentions None { get; } = new() { Parse = [] };

    [JsonPropertyName("parse")] public IReadOnlyList<string> Parse { get; init; } = [];
}

/// <summary>A rich embed. See https://discord.com/developers/docs/resources/message#embed-object.</summary>
public sealed record Embed
{
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("url")] public string? Url { get; init; }
    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; init; }
    [JsonPropertyName("color")] public int? Color { get; init; }
    [JsonPropertyName("footer")] public EmbedFooter? Footer { get; init; }
    [JsonPropertyName("author")] public EmbedAuthor? Author { get; init; }
    [JsonPropertyName("fields")] public IReadOnlyList<EmbedField>? Fields { get; init; }
}

public sealed record EmbedField(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("inline")] bool? Inline = null);

public sealed record EmbedFooter([property: JsonPropertyName("text")] string Text);

public sealed record EmbedAuthor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("url")] string? Url = null);

/// <summary>The fields of a message object we read back (the rest is ignored).</summary>
public sealed record DiscordMessage
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("channel_id")] public string? ChannelId { get; init; }
    [JsonPropertyName("nonce")] public System.Text.Json.JsonElement? Nonce { get; init; }

    /// <summary>Who posted it (Get Channel Messages; absent on some partial objects).</summary>
    [JsonPropertyName("author")] public DiscordUser? Author { get; init; }

    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; init; }
    [JsonPropertyName("embeds")] public IReadOnlyList<Embed>? Embeds { get; init; }
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("components")] public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>Set on replies: the message replied to.</summary>
    [JsonPropertyName("message_reference")] public MessageReference? MessageReference { get; init; }
}
