using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>An application command, as sent to and read from <c>…/commands</c>.</summary>
/// <remarks>See https://discord.com/developers/docs/interactions/application-commands#application-command-object.</remarks>
public sealed record ApplicationCommand
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("type")] public int? Type { get; init; } = 1;
    [JsonPropertyName("description")] public string Description { get; init; } = "";
    [JsonPropertyName("options")] public IReadOnlyList<ApplicationCommandOption>? Options { get; init; }
    [JsonPropertyName("default_member_permissions")] public string? DefaultMemberPermissions { get; init; }
    [JsonPropertyName("contexts")] public IReadOnlyList<int>? Contexts { get; init; }
    [JsonPropertyName("integration_types")] public IReadOnlyList<int>? IntegrationTypes { get; init; }
    [JsonPropertyName("nsfw")] public bool? Nsfw { get; init; }
}

public sealed record ApplicationCommandOption
{
    [JsonPropertyName("type")] public int Type { get; init; }
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("description")] public string Description { get; init; } = "";
    [JsonPropertyName("required")] public bool? Required { get; init; }
    [JsonPropertyName("autocomplete")] public bool? Autocomplete { get; init; }
    [JsonPropertyName("min_length")] public int? MinLength { get; init; }
    [JsonPropertyName("max_length")] public int? MaxLength { get; init; }
    [JsonPropertyName("options")] public IReadOnlyList<ApplicationCommandOption>? Options { get; init; }
    [JsonPropertyName("choices")] public IReadOnlyList<ApplicationCommandOptionChoice>? Choices { get; init; }
}

/// <summary>A fixed value of a STRING option (at most 25): the name users see, the value we receive.</summary>
public sealed record ApplicationCommandOptionChoice(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);
