using System.Text.Json.Serialization;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.SocketMode;

namespace DetaineeAlertBot.Slack.Models;

/// <summary>Source-generated JSON metadata for every type this client reads or writes.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SlackResponseEnvelope))]
[JsonSerializable(typeof(ChatPostMessageRequest))]
[JsonSerializable(typeof(PostedMessage))]
[JsonSerializable(typeof(AuthTestResult))]
[JsonSerializable(typeof(UsersInfoResponse))]
[JsonSerializable(typeof(BotsInfoResponse))]
[JsonSerializable(typeof(ConnectionsOpenResponse))]
[JsonSerializable(typeof(ConversationsHistoryResponse))]
[JsonSerializable(typeof(SlashCommand))]
[JsonSerializable(typeof(SlashCommandResponse))]
[JsonSerializable(typeof(SlackBlock))]
[JsonSerializable(typeof(IReadOnlyList<SlackBlock>))]
[JsonSerializable(typeof(ChatUpdateRequest))]
[JsonSerializable(typeof(ViewsOpenRequest))]
[JsonSerializable(typeof(ViewsOpenResponse))]
[JsonSerializable(typeof(SlackView))]
[JsonSerializable(typeof(InteractionPayload))]
[JsonSerializable(typeof(InteractionResponse))]
[JsonSerializable(typeof(SocketFrame))]
[JsonSerializable(typeof(SocketAck))]
internal sealed partial class SlackJsonContext : JsonSerializerContext;

/// <summary>JSON metadata for the DTOs a host serializes itself (e.g. a slash command's HTTP reply).</summary>
public static class SlackJson
{
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<SlashCommandResponse> SlashCommandResponse =>
        SlackJsonContext.Default.SlashCommandResponse;

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<ChatPostMessageRequest> ChatPostMessageRequest =>
        SlackJsonContext.Default.ChatPostMessageRequest;

    /// <summary>The HTTP 200 body answering a view_submission (an empty body closes the modal).</summary>
    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<InteractionResponse> InteractionResponse =>
        SlackJsonContext.Default.InteractionResponse;

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<InteractionPayload> InteractionPayload =>
        SlackJsonContext.Default.InteractionPayload;

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<SlackView> SlackView =>
        SlackJsonContext.Default.SlackView;
}
