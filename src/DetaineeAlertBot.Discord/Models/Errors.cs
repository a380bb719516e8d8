using System.Text.Json;
using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>Every non-2xx JSON body: <c>{ "code", "message", "errors"? }</c>, plus <c>retry_after</c>/<c>global</c> on a 429.</summary>
/// <remarks>See https://discord.com/developers/docs/reference#error-messages and /topics/rate-limits.</remarks>
internal sealed record DiscordErrorBody
{
    [JsonPropertyName("code")] public int? Code { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("errors")] public JsonElement? Errors { get; init; }
    [JsonPropertyName("retry_after")] public double? RetryAfter { get; init; }
    [JsonPropertyName("global")] public bool? Global { get; init; }
}
