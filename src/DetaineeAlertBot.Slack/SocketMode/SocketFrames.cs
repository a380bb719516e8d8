using System.Text.Json;
using System.Text.Json.Serialization;
using DetaineeAlertBot.Slack.Models;

namespace DetaineeAlertBot.Slack.SocketMode;

/// <summary>
/// Any frame Slack sends over a Socket Mode connection: <c>hello</c>, <c>disconnect</c>, or an envelope
/// (<c>slash_commands</c>, <c>events_api</c>, <c>interactive</c>) carrying an <c>envelope_id</c>
/// (https://docs.slack.dev/apis/events-api/using-socket-mode).
/// </summary>
internal sealed record SocketFrame(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("envelope_id")] string? EnvelopeId,
    [property: JsonPropertyName("payload")] JsonElement? Payload,
    [property: JsonPropertyName("accepts_response_payload")] bool AcceptsResponsePayload,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("retry_attempt")] int? RetryAttempt,
    [property: JsonPropertyName("num_connections")] int? NumConnections);

/// <summary>The acknowledgement of one envelope; the payload (a slash command's reply, a view_submission's
/// response_action) only when the envelope accepts one.</summary>
internal sealed record SocketAck(
    [property: JsonPropertyName("envelope_id")] string EnvelopeId,
    [property: JsonPropertyName("payload")] JsonElement? Payload);
