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

    public static byte[] Serialize(InteractionResponse response) =>
        JsonSerializer.SerializeToUtf8Bytes(response, DiscordJsonContext.Default.InteractionResponse);

    public static byte[] Serialize(CreateMessageRequest request) =>
        JsonSerializer.SerializeToUtf8Bytes(request, DiscordJsonContext.Default.CreateMessageRequest);

    public static byte[] Serialize(IReadOnlyList<ApplicationCommand> commands) =>
        JsonSerializer.SerializeToUtf8Bytes(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand);
}
