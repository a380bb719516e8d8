using System.Text.Json.Serialization;
using DetaineeAlertBot.Slack.Blocks;

namespace DetaineeAlertBot.Slack.Models;

/// <summary>The fields every Web API response carries: https://docs.slack.dev/apis/web-api (evaluating responses).</summary>
internal sealed record SlackResponseEnvelope(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("warning")] string? Warning,
    [property: JsonPropertyName("response_metadata")] SlackResponseMetadata? ResponseMetadata,
    [property: JsonPropertyName("needed")] string? Needed,
    [property: JsonPropertyName("provided")] string? Provided,
    [property: JsonPropertyName("errors")] IReadOnlyList<string>? Errors);

/// <summary>Details Slack adds to a response: warnings and, for invalid_blocks, the validation messages.</summary>
public sealed record SlackResponseMetadata(
    [property: JsonPropertyName("warnings")] IReadOnlyList<string>? Warnings,
    [property: JsonPropertyName("messages")] IReadOnlyList<string>? Messages);

/// <summary>chat.postMessage arguments (https://docs.slack.dev/reference/methods/chat.postMessage).</summary>
public sealed record ChatPostMessageRequest(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("blocks")] IReadOnlyList<SlackBlock>? Blocks = null,
    [property: JsonPropertyName("metadata")] MessageMetadata? Metadata = null)
{
    /// <summary>Alerts never unfurl: a source link must not pull a preview of somebody else's page.</summary>
    [JsonPropertyName("unfurl_links")]
    public bool UnfurlLinks { get; init; }

    [JsonPropertyName("unfurl_media")]
    public bool UnfurlMedia { get; init; }

    /// <summary>The parent's ts to post this as a thread reply (never a reply's ts).</summary>
    [JsonPropertyName("thread_ts")]
    public string? ThreadTs { get; init; }

    /// <summary>With <see cref="ThreadTs"/>: also show the reply in the channel. Slack's default is false.</summary>
    [JsonPropertyName("reply_broadcast")]
    public bool? ReplyBroadcast { get; init; }
}

/// <summary>chat.update arguments (https://docs.slack.dev/reference/methods/chat.update): blocks are always sent, since
/// a text without blocks wipes the message's blocks.</summary>
internal sealed record ChatUpdateRequest(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("ts")] string Ts,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("blocks")] IReadOnlyList<SlackBlock> Blocks);

/// <summary>views.open arguments (https://docs.slack.dev/reference/methods/views.open).</summary>
internal sealed record ViewsOpenRequest(
    [property: JsonPropertyName("trigger_id")] string TriggerId,
    [property: JsonPropertyName("view")] SlackView View);

internal sealed record ViewsOpenResponse(
    [property: JsonPropertyName("view")] OpenedView? View);

internal sealed record OpenedView(
    [property: JsonPropertyName("id")] string? Id);

/// <summary>Message metadata: lets a later reader of channel history recognise our messages.</summary>
public sealed record MessageMetadata(
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("event_payload")] IReadOnlyDictionary<string, string> EventPayload);

/// <summary>What Slack returns for a posted message; store both to update or thread later.</summary>
public sealed record PostedMessage(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("ts")] string Ts);

/// <summary>auth.test result: who the bot token belongs to.</summary>
public sealed record AuthTestResult(
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("team")] string? Team,
    [property: JsonPropertyName("user")] string? User,
    [property: JsonPropertyName("team_id")] string? TeamId,
    [property: JsonPropertyName("user_id")] string? UserId,
    [property: JsonPropertyName("bot_id")] string? BotId);

internal sealed record BotsInfoResponse(
    [property: JsonPropertyName("bot")] BotInfo? Bot);

/// <summary>bots.info: which app a bot user belongs to (the <c>api_app_id</c> of requests meant for us).</summary>
public sealed record BotInfo(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("app_id")] string? AppId,
    [property: JsonPropertyName("user_id")] string? UserId);

internal sealed record UsersInfoResponse(
    [property: JsonPropertyName("user")] SlackUser? User);

/// <summary>The parts of a Slack user object that decide admin rights.</summary>
public sealed record SlackUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("team_id")] string? TeamId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("deleted")] bool Deleted,
    [property: JsonPropertyName("is_admin")] bool IsAdmin,
    [property: JsonPropertyName("is_owner")] bool IsOwner,
    [property: JsonPropertyName("is_primary_owner")] bool IsPrimaryOwner,
    [property: JsonPropertyName("is_restricted")] bool IsRestricted,
    [property: JsonPropertyName("is_ultra_restricted")] bool IsUltraRestricted,
    [property: JsonPropertyName("is_bot")] bool IsBot)
{
    /// <summary>Workspace admin or owner, not a guest and not deactivated.</summary>
    [JsonIgnore]
    public bool IsWorkspaceAdmin =>
        !Deleted && !IsRestricted && !IsUltraRestricted && (IsAdmin || IsOwner || IsPrimaryOwner);
}

internal sealed record ConnectionsOpenResponse(
    [property: JsonPropertyName("url")] string? Url);

/// <summary>conversations.history answer (https://docs.slack.dev/reference/methods/conversations.history): newest first.</summary>
internal sealed record ConversationsHistoryResponse(
    [property: JsonPropertyName("messages")] IReadOnlyList<HistoryMessage>? Messages,
    [property: JsonPropertyName("has_more")] bool HasMore,
    [property: JsonPropertyName("response_metadata")] HistoryCursor? ResponseMetadata);

internal sealed record HistoryCursor(
    [property: JsonPropertyName("next_cursor")] string? NextCursor);

/// <summary>One message of a channel's history, with its metadata when asked for (include_all_metadata).</summary>
public sealed record HistoryMessage(
    [property: JsonPropertyName("ts")] string Ts,
    [property: JsonPropertyName("bot_id")] string? BotId,
    [property: JsonPropertyName("metadata")] HistoryMetadata? Metadata);

/// <summary>Message metadata as read back: payload values may be any JSON.</summary>
public sealed record HistoryMetadata(
    [property: JsonPropertyName("event_type")] string? EventType,
    [property: JsonPropertyName("event_payload")] IReadOnlyDictionary<string, System.Text.Json.JsonElement>? EventPayload);
