using System.Text.Json;

namespace DetaineeAlertBot.Slack.Fake;

/// <summary>A message as it is now: after chat.update edits, response_url replacements and deletes.</summary>
public sealed record FakeMessageSnapshot(
    string Channel,
    string Ts,
    string? Text,
    JsonElement? Blocks,
    string? ThreadTs,
    bool ReplyBroadcast,
    bool PostedByBot,
    bool Deleted,
    IReadOnlyList<FakeMessageEdit> Edits)
{
    public int BlockCount => Blocks is { ValueKind: JsonValueKind.Array } blocks ? blocks.GetArrayLength() : 0;
}

/// <summary>One accepted edit: the chat.update body (or the response_url post that replaced the message) and when it
/// arrived on the fake's clock.</summary>
public sealed record FakeMessageEdit(string Channel, string Ts, JsonElement Body, DateTimeOffset At, bool ViaResponseUrl = false);

/// <summary>A modal views.open accepted: its id, the trigger it used, the view JSON as sent.</summary>
public sealed record FakeView(string Id, string TriggerId, JsonElement View, DateTimeOffset OpenedAt)
{
    public string? CallbackId => View.TryGetProperty("callback_id", out var c) ? c.GetString() : null;

    public string? PrivateMetadata => View.TryGetProperty("private_metadata", out var m) ? m.GetString() : null;

    public string? Title => View.TryGetProperty("title", out var t) && t.TryGetProperty("text", out var text) ? text.GetString() : null;
}

/// <summary>An interaction payload the fake built for a test to inject, with the trigger_id (valid
/// <see cref="FakeSlackServer.TriggerLifetime"/> on the fake's clock) and, for block_actions, the response_url it carries.</summary>
public sealed record FakeInteraction(string PayloadJson, string TriggerId, string? ResponseUrl);

/// <summary>A post to a response_url and the three fields that decide what Slack does with it.</summary>
public sealed record FakeResponseUrlPost(string ResponseUrl, JsonElement Body)
{
    public bool? ReplaceOriginal => Bool("replace_original");

    public bool? DeleteOriginal => Bool("delete_original");

    public string? ResponseType => Body.TryGetProperty("response_type", out var t) ? t.GetString() : null;

    public string? Text => Body.TryGetProperty("text", out var t) ? t.GetString() : null;

    private bool? Bool(string name) => Body.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
        ? value.GetBoolean() : null;
}
