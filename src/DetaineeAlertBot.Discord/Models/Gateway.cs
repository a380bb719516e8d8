using System.Text.Json;
using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>Response of <c>GET /gateway/bot</c>.</summary>
public sealed record GatewayBotResponse
{
    [JsonPropertyName("url")] public string Url { get; init; } = "";
    [JsonPropertyName("shards")] public int Shards { get; init; }
    [JsonPropertyName("session_start_limit")] public SessionStartLimit? SessionStartLimit { get; init; }
}

public sealed record SessionStartLimit
{
    [JsonPropertyName("total")] public int Total { get; init; }
    [JsonPropertyName("remaining")] public int Remaining { get; init; }
    /// <summary>Milliseconds until <see cref="Remaining"/> resets.</summary>
    [JsonPropertyName("reset_after")] public long ResetAfter { get; init; }
    [JsonPropertyName("max_concurrency")] public int MaxConcurrency { get; init; }
}

/// <summary>A gateway frame: <c>{"op", "d", "s", "t"}</c>.</summary>
internal sealed record GatewayPayload
{
    [JsonPropertyName("op")] public int Op { get; init; }
    [JsonPropertyName("d")] public JsonElement? Data { get; init; }
    [JsonPropertyName("s")] public int? Sequence { get; init; }
    [JsonPropertyName("t")] public string? EventName { get; init; }
}

internal sealed record HelloData([property: JsonPropertyName("heartbeat_interval")] int HeartbeatInterval);

internal sealed record IdentifyData(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("intents")] int Intents,
    [property: JsonPropertyName("properties")] IdentifyProperties Properties,
    [property: JsonPropertyName("shard")] int[]? Shard = null);

internal sealed record IdentifyProperties(
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("browser")] string Browser,
    [property: JsonPropertyName("device")] string Device);

internal sealed record ResumeData(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("session_id")] string SessionId,
    [property: JsonPropertyName("seq")] int? Sequence);

internal sealed record ReadyData
{
    [JsonPropertyName("session_id")] public string SessionId { get; init; } = "";
    [JsonPropertyName("resume_gateway_url")] public string? ResumeGatewayUrl { get; init; }
    [JsonPropertyName("application")] public ReadyApplication? Application { get; init; }
}

internal sealed record ReadyApplication([property: JsonPropertyName("id")] string Id);

/// <summary>MESSAGE_DELETE (<c>d</c>): a message was deleted. Guild channels need <see cref="Gateway.GatewayIntents.GuildMessages"/>.
/// https://discord.com/developers/docs/events/gateway-events#message-delete</summary>
public sealed record MessageDeleteEvent
{
    [JsonPropertyName("id")] public string Id { get; init; } = "";
    [JsonPropertyName("channel_id")] public string ChannelId { get; init; } = "";
    [JsonPropertyName("guild_id")] public string? GuildId { get; init; }
}

/// <summary>MESSAGE_DELETE_BULK (<c>d</c>): several messages of one channel were deleted at once.
/// https://discord.com/developers/docs/events/gateway-events#message-delete-bulk</summary>
public sealed record MessageDeleteBulkEvent
{
    [JsonPropertyName("ids")] public IReadOnlyList<string> Ids { get; init; } = [];
    [JsonPropertyName("channel_id")] public string ChannelId { get; init; } = "";
    [JsonPropertyName("guild_id")] public string? GuildId { get; init; }
}
