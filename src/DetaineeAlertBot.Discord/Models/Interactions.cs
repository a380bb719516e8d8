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

    /// <summary>MESSAGE_COMPONENT: the message the component is on. MODAL_SUBMIT: the message whose component opened the
    /// modal, when it was opened from one.</summary>
    [JsonPropertyName("message")] public DiscordMessage? Message { get; init; }

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

    /// <summary>MESSAGE_COMPONENT: the pressed component's custom_id. MODAL_SUBMIT: the modal's custom_id.</summary>
    [JsonPropertyName("custom_id")] public string? CustomId { get; init; }

    /// <summary>MESSAGE_COMPONENT: the type of the component (2 button, 3 string select, …).</summary>
    [JsonPropertyName("component_type")] public int? ComponentType { get; init; }

    /// <summary>MESSAGE_COMPONENT from a select: the chosen values.</summary>
    [JsonPropertyName("values")] public IReadOnlyList<string>? Values { get; init; }

    /// <summary>MODAL_SUBMIT: the submitted rows (action rows, or labels on newer clients) holding the inputs' custom_id and value.</summary>
    [JsonPropertyName("components")] public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>MODAL_SUBMIT: the submitted text inputs by custom_id, from action rows (legacy) or labels (type 18).
    /// A later duplicate custom_id does not replace an earlier one. Empty for other interactions.</summary>
    public IReadOnlyDictionary<string, string> ModalValues()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in Components ?? [])
        {
            Collect(row, values, depth: 0);
        }

        return values;
    }

    /// <summary>The submitted value of one text input, or null when the modal had none with that custom_id.</summary>
    public string? ModalValue(string customId) => ModalValues().TryGetValue(customId, out var value) ? value : null;

    private static void Collect(MessageComponent component, Dictionary<string, string> values, int depth)
    {
        if (depth > 4)
        {
            return;
        }

        if (component.Type == Models.ComponentType.TextInput && component.CustomId is { } id)
        {
            values.TryAdd(id, component.Value ?? "");
        }

        if (component.Component is { } child)
        {
            Collect(child, values, depth + 1);
        }

        foreach (var nested in component.Components ?? [])
        {
            Collect(nested, values, depth + 1);
        }
    }
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

/// <summary>Callback data for message responses (types 4, 5, 7), autocomplete results (type 8), modals (type 9),
/// @original edits and follow-up messages.</summary>
public sealed record InteractionCallbackData
{
    /// <summary>Modal (type 9) only: the custom_id the submit will carry (1-100 characters).</summary>
    [JsonPropertyName("custom_id")] public string? CustomId { get; init; }

    /// <summary>Modal (type 9) only: its title (at most 45 characters).</summary>
    [JsonPropertyName("title")] public string? Title { get; init; }

    [JsonPropertyName("content")] public string? Content { get; init; }
    [JsonPropertyName("embeds")] public IReadOnlyList<Embed>? Embeds { get; init; }
    [JsonPropertyName("allowed_mentions")] public AllowedMentions? AllowedMentions { get; init; }
    [JsonPropertyName("flags")] public int? Flags { get; init; }
    [JsonPropertyName("choices")] public IReadOnlyList<AutocompleteChoice>? Choices { get; init; }

    /// <summary>Message responses: action rows of buttons. Modals: 1-5 action rows of one text input each.</summary>
    [JsonPropertyName("components")] public IReadOnlyList<MessageComponent>? Components { get; init; }

    /// <summary>A modal (type 9 data): <paramref name="rows"/> are action rows of one text input each.</summary>
    public static InteractionCallbackData Modal(string customId, string title, params IReadOnlyList<MessageComponent> rows) =>
        new() { CustomId = customId, Title = title, Components = rows };
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
