using System.Text.Json;
using System.Text.Json.Serialization;
using DetaineeAlertBot.Slack.Blocks;

namespace DetaineeAlertBot.Slack.Models;

/// <summary>
/// An interactivity payload (https://docs.slack.dev/interactivity/handling-user-interaction): <c>block_actions</c> from a
/// button or menu, <c>view_submission</c> from a modal's submit. Over HTTP it arrives as the form field <c>payload</c>
/// (<see cref="FromFormBody"/>), over Socket Mode as an <c>interactive</c> envelope's payload. Rely on the ids only.
/// </summary>
public sealed record InteractionPayload
{
    public const string BlockActions = "block_actions";
    public const string ViewSubmission = "view_submission";

    [JsonPropertyName("type")] public string Type { get; init; } = "";
    [JsonPropertyName("user")] public InteractionUser? User { get; init; }
    [JsonPropertyName("team")] public InteractionTeam? Team { get; init; }
    [JsonPropertyName("api_app_id")] public string? ApiAppId { get; init; }

    /// <summary>block_actions on a message: the channel it is in (absent for actions inside a modal).</summary>
    [JsonPropertyName("channel")] public InteractionChannel? Channel { get; init; }

    /// <summary>block_actions on a message: that message (its ts is the card's ts).</summary>
    [JsonPropertyName("message")] public InteractionMessage? Message { get; init; }

    [JsonPropertyName("container")] public InteractionContainer? Container { get; init; }

    /// <summary>Usable once for views.open, within 3 s of the interaction.</summary>
    [JsonPropertyName("trigger_id")] public string? TriggerId { get; init; }

    /// <summary>block_actions only (view_submission has none): usable 5 times within 30 minutes.</summary>
    [JsonPropertyName("response_url")] public string? ResponseUrl { get; init; }

    [JsonPropertyName("actions")] public IReadOnlyList<BlockActionItem>? Actions { get; init; }

    /// <summary>view_submission: the submitted view with its state.</summary>
    [JsonPropertyName("view")] public SubmittedView? View { get; init; }

    /// <summary>Parses the payload JSON. Throws <see cref="JsonException"/> when it is not an interaction payload.</summary>
    public static InteractionPayload Parse(string json) =>
        JsonSerializer.Deserialize(json, SlackJsonContext.Default.InteractionPayload)
        ?? throw new JsonException("The interaction payload is null.");

    public static InteractionPayload Parse(JsonElement json) =>
        json.Deserialize(SlackJsonContext.Default.InteractionPayload)
        ?? throw new JsonException("The interaction payload is null.");

    /// <summary>
    /// Reads the raw <c>application/x-www-form-urlencoded</c> body of an HTTP interaction request (<c>payload=&lt;json&gt;</c>).
    /// Verify its signature on the same raw bytes first (<see cref="Signing.SlackRequestVerifier.Verify"/>). Throws
    /// <see cref="FormatException"/> without a <c>payload</c> field, <see cref="JsonException"/> for bad JSON.
    /// </summary>
    public static InteractionPayload FromFormBody(string rawBody)
    {
        foreach (var pair in rawBody.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (Decode(key) == "payload")
            {
                return Parse(eq < 0 ? "" : Decode(pair[(eq + 1)..]));
            }
        }

        throw new FormatException("The interaction request body has no payload field.");
    }

    /// <summary>The first action of a block_actions payload, or null.</summary>
    [JsonIgnore]
    public BlockActionItem? Action => Actions is { Count: > 0 } actions ? actions[0] : null;

    // Form encoding writes spaces as '+'; Uri.UnescapeDataString leaves '+' alone.
    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

public sealed record InteractionUser(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("team_id")] string? TeamId);

public sealed record InteractionTeam(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("domain")] string? Domain);

public sealed record InteractionChannel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string? Name);

public sealed record InteractionMessage(
    [property: JsonPropertyName("ts")] string Ts,
    [property: JsonPropertyName("thread_ts")] string? ThreadTs,
    [property: JsonPropertyName("text")] string? Text);

/// <summary>Where the interaction happened: <c>message</c> (with message_ts and channel_id) or <c>view</c> (with view_id).</summary>
public sealed record InteractionContainer(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("message_ts")] string? MessageTs,
    [property: JsonPropertyName("channel_id")] string? ChannelId,
    [property: JsonPropertyName("view_id")] string? ViewId,
    [property: JsonPropertyName("is_ephemeral")] bool? IsEphemeral);

/// <summary>One action of a block_actions payload: a button's <c>value</c>, a menu's <c>selected_option</c>, a date picker's
/// <c>selected_date</c>.</summary>
public sealed record BlockActionItem(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("action_id")] string ActionId,
    [property: JsonPropertyName("block_id")] string? BlockId,
    [property: JsonPropertyName("value")] string? Value,
    [property: JsonPropertyName("action_ts")] string? ActionTs,
    [property: JsonPropertyName("selected_option")] SelectedOption? SelectedOption,
    [property: JsonPropertyName("selected_date")] string? SelectedDate);

public sealed record SelectedOption(
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("text")] TextObject? Text);

/// <summary>The view of a view_submission: what was opened (callback_id, private_metadata) and what was entered.</summary>
public sealed record SubmittedView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("callback_id")] string? CallbackId,
    [property: JsonPropertyName("private_metadata")] string? PrivateMetadata,
    [property: JsonPropertyName("hash")] string? Hash,
    [property: JsonPropertyName("state")] ViewState? State)
{
    /// <summary>
    /// The submitted value of one input, whatever its element: a text input's <c>value</c>, a select's
    /// <c>selected_option.value</c>, a date picker's <c>selected_date</c> (YYYY-MM-DD). Null when the block or action is
    /// not in the state or the field was left empty.
    /// </summary>
    public string? GetValue(string blockId, string actionId) =>
        State?.Values is { } values && values.TryGetValue(blockId, out var block) && block.TryGetValue(actionId, out var value)
            ? value.Value ?? value.SelectedOption?.Value ?? value.SelectedDate
            : null;
}

/// <summary><c>view.state</c>: <c>values[block_id][action_id]</c> for every input block.</summary>
public sealed record ViewState(
    [property: JsonPropertyName("values")] IReadOnlyDictionary<string, IReadOnlyDictionary<string, ViewStateValue>>? Values);

public sealed record ViewStateValue(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("value")] string? Value,
    [property: JsonPropertyName("selected_option")] SelectedOption? SelectedOption,
    [property: JsonPropertyName("selected_date")] string? SelectedDate);

/// <summary>
/// What an interaction's acknowledgement carries (the HTTP 200 body, or the Socket Mode ack's payload). For
/// view_submission: <see cref="WithErrors"/> keeps the modal open with a message under each named input block,
/// <see cref="UpdateView"/> replaces it, <see cref="ClearAll"/> closes every view; no response (an empty body) closes
/// the modal (https://docs.slack.dev/surfaces/modals#handling_submissions).
/// </summary>
public sealed record InteractionResponse(
    [property: JsonPropertyName("response_action")] string ResponseAction)
{
    [JsonPropertyName("errors")] public IReadOnlyDictionary<string, string>? Errors { get; init; }
    [JsonPropertyName("view")] public SlackView? View { get; init; }

    /// <summary>Validation errors by input block_id.</summary>
    public static InteractionResponse WithErrors(IReadOnlyDictionary<string, string> errors) => new("errors") { Errors = errors };

    public static InteractionResponse UpdateView(SlackView view) => new("update") { View = view };

    public static InteractionResponse ClearAll() => new("clear");
}
