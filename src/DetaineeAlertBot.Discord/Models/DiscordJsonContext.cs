using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>Source-generated serializers for every wire type. Absent means null: nulls are not written.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CreateMessageRequest))]
[JsonSerializable(typeof(DiscordMessage))]
[JsonSerializable(typeof(EditMessageRequest))]
[JsonSerializable(typeof(MessageComponent))]
[JsonSerializable(typeof(MessageReference))]
[JsonSerializable(typeof(MessageDeleteEvent))]
[JsonSerializable(typeof(MessageDeleteBulkEvent))]
[JsonSerializable(typeof(DiscordErrorBody))]
[JsonSerializable(typeof(GatewayBotResponse))]
[JsonSerializable(typeof(GatewayPayload))]
[JsonSerializable(typeof(HelloData))]
[JsonSerializable(typeof(IdentifyData))]
[JsonSerializable(typeof(ResumeData))]
[JsonSerializable(typeof(ReadyData))]
[JsonSerializable(typeof(Interaction))]
[JsonSerializable(typeof(InteractionResponse))]
[JsonSerializable(typeof(InteractionCallbackData))]
[JsonSerializable(typeof(CurrentApplication))]
[JsonSerializable(typeof(DiscordUser))]
[JsonSerializable(typeof(List<DiscordMessage>))]
[JsonSerializable(typeof(ApplicationCommand))]
[JsonSerializable(typeof(List<ApplicationCommand>))]
[JsonSerializable(typeof(IReadOnlyList<ApplicationCommand>))]
internal sealed partial class DiscordJsonContext : JsonSerializerContext;
