using System.Text.Json;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>Reads and writes the wire types with the source-generated <see cref="DiscordJsonContext"/>.</summary>
public static class DiscordJson
{
    /// <summary>Parses an interaction body; returns null when the body is not a JSON interaction object.</summary>
    public static Interaction? ParseInteraction(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8Json, DiscordJsonContext.Default.Interaction);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Parses a gateway INTERACTION_CREATE payload (<c>d</c>).</summary>
    public static Interaction? ParseInteraction(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
            ? element.Deserialize(DiscordJsonContext.Default.Interaction)
            : null;

    /// <summary>Parses a MESSAGE_DELETE payload (<c>d</c>); null when it is not one (no id or channel_id).</summary>
    public static MessageDeleteEvent? ParseMessageDelete(JsonElement element) =>
        Parse(element, DiscordJsonContext.Default.MessageDeleteEvent) is { Id.Length: > 0, ChannelId.Length: > 0 } e ? e : null;

    /// <summary>Parses a MESSAGE_DELETE_BULK payload (<c>d</c>); null when it is not one.</summary>
    public static MessageDeleteBulkEvent? ParseMessageDeleteBulk(JsonElement element) =>
        Parse(element, DiscordJsonContext.Default.MessageDeleteBulkEvent) is { ChannelId.Length: > 0 } e ? e : null;

    /// <summary>The ids of the messages a MESSAGE_DELETE or MESSAGE_DELETE_BULK dispatch removed, with their channel;
    /// null for any other event (or a malformed one).</summary>
    public static (string ChannelId, IReadOnlyList<string> MessageIds)? ParseDeletedMessages(string eventName, JsonElement data) => eventName switch
    {
        "MESSAGE_DELETE" when ParseMessageDelete(data) is { } one => (one.ChannelId, [one.Id]),
        "MESSAGE_DELETE_BULK" when ParseMessageDeleteBulk(data) is { } bulk => (bulk.ChannelId, bulk.Ids),
        _ => null,
    };

    private static T? Parse<T>(JsonElement element, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return element.Deserialize(type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Serialize(InteractionResponse response) =>
        JsonSerializer.SerializeToUtf8Bytes(response, DiscordJsonContext.Default.InteractionResponse);

    public static byte[] Serialize(CreateMessageRequest request) =>
        JsonSerializer.SerializeToUtf8Bytes(request, DiscordJsonContext.Default.CreateMessageRequest);

    public static byte[] Serialize(EditMessageRequest request) =>
        JsonSerializer.SerializeToUtf8Bytes(request, DiscordJsonContext.Default.EditMessageRequest);

    public static byte[] Serialize(IReadOnlyList<ApplicationCommand> commands) =>
        JsonSerializer.SerializeToUtf8Bytes(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand);
}
