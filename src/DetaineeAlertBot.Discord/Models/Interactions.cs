using System.Text.Json;
using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>The fields of an interaction this bot reads. See https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object.</summary>
public sealed record Interaction
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("application_id")] public string ApplicationId { get; init; } = "";
    [JsonPropertyName("type")] public int Type { get; init; }
    [JsonPropertyName("data")] public InteractionData? Data { get; init; }
    [JsonPropertyName("guild_id")] public string? GuildId { get; init; }
    [JsonPropertyName("channel_id")] public string? ChannelId { get; init; }
    [JsonPropertyName("member")] public GuildMember? Member { get; init; }
    [JsonPropertyName("user")] public DiscordUser? User { get; init; }
    [JsonPropertyName("token")] public string Token { get; init; } = "";
    [JsonPropertyName("version")] public int Version { get; init; }
    [JsonPropertyName("app_permissions")] public string? AppPermissions { get; init; }

    /// <summary>The invoking user: <c>member.user</c> in a guild, <c>user</c> in a DM.</summary>
    [JsonIgnore] public DiscordUser? Invoker => Member?.User ?? User;
}

public sealed record InteractionData
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("type")] public int? Type { get; init; }
    [JsonPropertyName("guild_id")] public string? GuildId { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<InteractionOption>? Options { get; init; }
}

public sealed record InteractionOption
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("type")] public int Type { get; init; }
    /// <summary>String, integer, number or boolean depending on <see cref="Type"/>.</summary>
    [JsonPropertyName("value")] public JsonElement? Value { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<InteractionOption>? Options { get; init; }
    [JsonPropertyName("focused")] public bool? Focused { get; init; }
}

public sealed record GuildMember
{
    [JsonPropertyName("user")] public DiscordUser? User { get; init; }
    [JsonPropertyName("roles")] public IReadOnlyList<string>? Roles { get; init; }
    /// <summary>Total permissions of the member in the channel: a variable-length integer as a string.</summary>
    [JsonPropertyName("permissions")] public string? Permissions { get; init; }
}

public sealed record DiscordUser
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("global_name")] public string? GlobalName { get; init; }
    [JsonPropertyName("bot")] public bool? Bot { get; init; }
}

/// <summary>An interaction response: <c>{"type", "data"?}</c>.</summary>
public sealed record InteractionResponse
{
    [JsonPropertyName("type")] public int Type { get; init; }
    [JsonPropertyName("data")] public InteractionCallbackData? Data { get; init; }
}

/// <summary>Callback data for message responses (types 4, 5), autocomplete results (type 8) and @original edits.</summary>
public sealed record InteractionCallbackData
{
    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("embeds")] public IReadOnlyList<Embed>? Embeds { get; init; }
    [JsonPropertyName("allowed_mentions")] public AllowedMentions? AllowedMentions { get; init; }
    [JsonPropertyName("flags")] public int? Flags { get; init; }
    [JsonPropertyName("choices")] public IReadOnlyList<AutocompleteChoice>? Choices { get; init; }
}

public sealed record AutocompleteChoice(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

/// <summary>The fields of <c>GET /applications/@me</c> we use.</summary>
public sealed record CurrentApplication
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("verify_key")] public string? VerifyKey { get; init; }
}
