using System.Text.Json.Serialization;
using DetaineeAlertBot.Slack.Blocks;

namespace DetaineeAlertBot.Slack.Models;

/// <summary>
/// A slash command invocation, as a form body over HTTP or as the JSON payload of a Socket Mode
/// envelope (https://docs.slack.dev/interactivity/implementing-slash-commands). Rely on the IDs only.
/// </summary>
public sealed record SlashCommand
{
    [JsonPropertyName("command")] public string Command { get; init; } = "";
    [JsonPropertyName("text")] public string Text { get; init; } = "";
    [JsonPropertyName("team_id")] public string? TeamId { get; init; }
    [JsonPropertyName("channel_id")] public string ChannelId { get; init; } = "";
    [JsonPropertyName("user_id")] public string UserId { get; init; } = "";
    [JsonPropertyName("user_name")] public string? UserName { get; init; }
    [JsonPropertyName("api_app_id")] public string? ApiAppId { get; init; }
    [JsonPropertyName("response_url")] public string? ResponseUrl { get; init; }
    [JsonPropertyName("trigger_id")] public string? TriggerId { get; init; }

    /// <summary>Reads an application/x-www-form-urlencoded slash command body.</summary>
    public static SlashCommand FromForm(IReadOnlyDictionary<string, string> form)
    {
        string? Get(string key) => form.TryGetValue(key, out var value) ? value : null;
        return new SlashCommand
        {
            Command = Get("command") ?? "",
            Text = Get("text") ?? "",
            TeamId = Get("team_id"),
            ChannelId = Get("channel_id") ?? "",
            UserId = Get("user_id") ?? "",
            UserName = Get("user_name"),
            ApiAppId = Get("api_app_id"),
            ResponseUrl = Get("response_url"),
            TriggerId = Get("trigger_id"),
        };
    }
}

/// <summary>A reply to a slash command (the HTTP 200 body, the Socket Mode ack payload) or a response_url post, also
/// for a block_actions interaction. Set <see cref="ReplaceOriginal"/> / <see cref="DeleteOriginal"/> explicitly when
/// answering a button: both are sent as given, false included.</summary>
public sealed record SlashCommandResponse(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("blocks")] IReadOnlyList<SlackBlock>? Blocks = null,
    [property: JsonPropertyName("response_type")] string ResponseType = SlashCommandResponse.Ephemeral)
{
    public const string Ephemeral = "ephemeral";
    public const string InChannel = "in_channel";

    /// <summary>true: this replaces the message the response_url belongs to; false: a new message.</summary>
    [JsonPropertyName("replace_original")]
    public bool? ReplaceOriginal { get; init; }

    /// <summary>true: delete the message the response_url belongs to.</summary>
    [JsonPropertyName("delete_original")]
    public bool? DeleteOriginal { get; init; }
}
