using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DetaineeAlertBot.Discord.Fake;

/// <summary>One accepted edit of a message: Edit Message, a type 7 callback, or <c>PATCH @original</c> after type 6/7.</summary>
/// <param name="Body">The edit as sent (only the fields it changed).</param>
/// <param name="Via">"PATCH /channels/{channel.id}/messages/{message.id}", "callback type 7" or "PATCH @original".</param>
public sealed record RecordedEdit(string MessageId, string ChannelId, JsonObject Body, DateTimeOffset At, string Via)
{
    /// <summary>The edit's <c>allowed_mentions</c>, or null when it sent none (Discord then re-parses with the defaults).</summary>
    public JsonNode? AllowedMentions => Body["allowed_mentions"];
}

/// <summary>
/// An interaction the fake delivered, and what the bot answered: <see cref="Callback"/> is the initial response (the
/// inline HTTP body or the callback endpoint's body), <see cref="OriginalEdit"/> the first <c>PATCH …/@original</c> and
/// <see cref="Followup"/> the first follow-up message. Await them with a timeout.
/// </summary>
public sealed class FakeInteractionExchange
{
    private readonly TaskCompletionSource<JsonObject> _callback = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<JsonObject> _originalEdit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<JsonObject> _followup = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal FakeInteractionExchange(string id, string token, int type, string channelId, string? messageId)
    {
        Id = id;
        Token = token;
        Type = type;
        ChannelId = channelId;
        MessageId = messageId;
    }

    public string Id { get; }
    public string Token { get; }
    /// <summary>Interaction type: 2 command, 3 component, 5 modal submit.</summary>
    public int Type { get; }
    public string ChannelId { get; }
    /// <summary>The message the component is on (or that opened the modal).</summary>
    public string? MessageId { get; }

    /// <summary>HTTP delivery only: the status the bot's endpoint answered (200 inline, 202 when it used the callback endpoint).</summary>
    public int? HttpStatus { get; internal set; }

    /// <summary>HTTP delivery only: why the fake refused the bot's inline answer (as Discord would), or null.</summary>
    public string? InlineRejection { get; internal set; }

    /// <summary>The initial response's type once answered (4, 5, 6, 7, 9…).</summary>
    public int? InitialType { get; internal set; }

    public Task<JsonObject> Callback => _callback.Task;
    public Task<JsonObject> OriginalEdit => _originalEdit.Task;
    public Task<JsonObject> Followup => _followup.Task;

    internal void Answered(JsonObject body) => _callback.TrySetResult(body);
    internal void Edited(JsonObject body) => _originalEdit.TrySetResult(body);
    internal void FollowedUp(JsonObject body) => _followup.TrySetResult(body);
}

public sealed partial class FakeDiscordServer
{
    /// <summary>GUILD_MESSAGES (1 &lt;&lt; 9): MESSAGE_CREATE/UPDATE/DELETE/DELETE_BULK in guilds are sent only with it.</summary>
    public const int GuildMessagesIntent = 1 << 9;

    private const string DefaultUserId = "80351110224678912";

    private readonly List<RecordedEdit> _edits = [];
    private readonly List<string> _deletedMessages = [];
    private readonly Dictionary<string, int> _editLimits = [];
    private readonly List<RecordedCallback> _followupMessages = [];
    private readonly Dictionary<string, FakeInteractionExchange> _exchanges = [];
    private readonly Dictionary<string, FakeInteractionExchange> _exchangesByToken = [];
    private static readonly HttpClient InteractionHttp = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Every accepted edit, in order.</summary>
    public IReadOnlyList<RecordedEdit> Edits
    {
        get
        {
            lock (_lock)
            {
                return [.. _edits];
            }
        }
    }

    /// <summary>The accepted edits of one message, in order.</summary>
    public IReadOnlyList<RecordedEdit> EditsOf(string messageId)
    {
        lock (_lock)
        {
            return [.. _edits.Where(e => e.MessageId == messageId)];
        }
    }

    /// <summary>A message as it is now (its <see cref="RecordedMessage.Body"/> has every edit applied), or null when
    /// unknown or deleted.</summary>
    public RecordedMessage? FindMessage(string messageId)
    {
        lock (_lock)
        {
            return _messages.FirstOrDefault(m => m.Id == messageId);
        }
    }

    /// <summary>Ids of messages deleted with <see cref="DeleteMessageByHandAsync"/> / <see cref="DeleteMessagesByHandAsync"/>.</summary>
    public IReadOnlyList<string> DeletedMessages
    {
        get
        {
            lock (_lock)
            {
                return [.. _deletedMessages];
            }
        }
    }

    /// <summary>Follow-up messages (<c>POST /webhooks/{app}/{token}</c>), body as sent (with its <c>flags</c>); Id is the application id.</summary>
    public IReadOnlyList<RecordedCallback> FollowupMessages
    {
        get
        {
            lock (_lock)
            {
                return [.. _followupMessages];
            }
        }
    }

    /// <summary>The <c>retry_after</c> of a scripted 30046 answer (Discord documents no number).</summary>
    public TimeSpan EditLimitRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The next <paramref name="count"/> edits of messages in <paramref name="channelId"/> answer HTTP 429 with
    /// body code 30046 "Maximum number of edits to messages older than 1 hour reached", as Discord does for old messages.
    /// They are still counted in the channel's bucket (headers included) and are not applied.</summary>
    public void FailNextEditsWithEditLimit(string channelId, int count)
    {
        lock (_lock)
        {
            _editLimits[channelId] = count;
        }
    }

    /// <summary>Deletes a message as a moderator would: it is gone (edits answer 10008, replies to it 50035) and
    /// MESSAGE_DELETE <c>{id, channel_id, guild_id}</c> goes to each gateway connection identified with GUILD_MESSAGES.</summary>
    /// <exception cref="InvalidOperationException">No such message in that channel.</exception>
    public async Task DeleteMessageByHandAsync(string channelId, string messageId, string guildId = DefaultGuildId)
    {
        RemoveMessages(channelId, [messageId]);
        await Gateway.DispatchAsync("MESSAGE_DELETE", new JsonObject { ["id"] = messageId, ["channel_id"] = channelId, ["guild_id"] = guildId },
            GuildMessagesIntent).ConfigureAwait(false);
    }

    /// <summary>Bulk delete by hand: MESSAGE_DELETE_BULK <c>{ids, channel_id, guild_id}</c>, to GUILD_MESSAGES connections only.</summary>
    public async Task DeleteMessagesByHandAsync(string channelId, IReadOnlyList<string> messageIds, string guildId = DefaultGuildId)
    {
        RemoveMessages(channelId, messageIds);
        await Gateway.DispatchAsync("MESSAGE_DELETE_BULK", new JsonObject
        {
            ["ids"] = new JsonArray([.. messageIds.Select(id => (JsonNode)id)]),
            ["channel_id"] = channelId,
            ["guild_id"] = guildId,
        }, GuildMessagesIntent).ConfigureAwait(false);
    }

    private void RemoveMessages(string channelId, IReadOnlyList<string> messageIds)
    {
        lock (_lock)
        {
            foreach (var id in messageIds)
            {
                if (_messages.RemoveAll(m => m.Id == id && m.ChannelId == channelId) == 0)
                {
                    throw new InvalidOperationException($"No message {id} in channel {channelId}.");
                }

                _deletedMessages.Add(id);
            }
        }
    }

    /// <summary>A MESSAGE_COMPONENT interaction (type 3) for a button press on a stored message: data
    /// <c>{custom_id, component_type}</c>, the message as stored now, and a guild member with permissions, roles and user.</summary>
    /// <exception cref="InvalidOperationException">The message is not stored (deleted or never created).</exception>
    public JsonObject ComponentInteraction(string channelId, string messageId, string customId, string permissions = "3072",
        IReadOnlyList<string>? roles = null, string userId = DefaultUserId, string guildId = DefaultGuildId, int componentType = 2)
    {
        var message = FindMessage(messageId) is { } m && m.ChannelId == channelId
            ? StoredMessageJson(m)
            : throw new InvalidOperationException($"No message {messageId} in channel {channelId}: a component needs the message it is on.");
        var interaction = BaseInteraction(3, channelId, permissions, roles, userId, guildId);
        interaction["data"] = new JsonObject { ["custom_id"] = customId, ["component_type"] = componentType };
        interaction["message"] = message;
        return interaction;
    }

    /// <summary>A MODAL_SUBMIT interaction (type 5): data <c>{custom_id, components: [{type 1, components: [{type 4,
    /// custom_id, value}]}]}</c>, one row per value; with <paramref name="messageId"/> when the modal was opened from a
    /// component on that message (then the message is included).</summary>
    public JsonObject ModalSubmitInteraction(string channelId, string customId, IReadOnlyList<KeyValuePair<string, string>> values,
        string? messageId = null, string permissions = "3072", IReadOnlyList<string>? roles = null, string userId = DefaultUserId,
        string guildId = DefaultGuildId)
    {
        var interaction = BaseInteraction(5, channelId, permissions, roles, userId, guildId);
        interaction["data"] = new JsonObject
        {
            ["custom_id"] = customId,
            ["components"] = new JsonArray([.. values.Select(v => (JsonNode)new JsonObject
            {
                ["type"] = 1,
                ["components"] = new JsonArray(new JsonObject { ["type"] = 4, ["custom_id"] = v.Key, ["value"] = v.Value }),
            })]),
        };
        if (messageId is not null && FindMessage(messageId) is { } message)
        {
            interaction["message"] = StoredMessageJson(message);
        }

        return interaction;
    }

    private JsonObject BaseInteraction(int type, string channelId, string permissions, IReadOnlyList<string>? roles, string userId, string guildId)
    {
        var id = NewSnowflake();
        return new JsonObject
        {
            ["id"] = id,
            ["application_id"] = ApplicationId,
            ["type"] = type,
            ["token"] = $"fake-interaction-token-{id}",
            ["version"] = 1,
            ["guild_id"] = guildId,
            ["channel_id"] = channelId,
            ["channel"] = new JsonObject { ["id"] = channelId, ["type"] = 0, ["guild_id"] = guildId },
            ["member"] = new JsonObject
            {
                ["user"] = new JsonObject { ["id"] = userId, ["username"] = "someone", ["global_name"] = "Someone" },
                ["roles"] = new JsonArray([.. (roles ?? []).Select(r => (JsonNode)r)]),
                ["permissions"] = permissions,
                ["joined_at"] = "2024-01-01T00:00:00.000000+00:00",
            },
            ["app_permissions"] = "3072",
            ["locale"] = "en-US",
            ["guild_locale"] = "en-US",
            ["entitlements"] = new JsonArray(),
            ["authorizing_integration_owners"] = new JsonObject { ["0"] = guildId },
            ["context"] = 0,
        };
    }

    /// <summary>Delivers an interaction (built by <see cref="ComponentInteraction"/>, <see cref="ModalSubmitInteraction"/> or
    /// by hand) as INTERACTION_CREATE on the gateway; its 3 s deadline starts now.</summary>
    public async Task<FakeInteractionExchange> SendInteractionAsync(JsonObject interaction)
    {
        var exchange = Register(interaction);
        await Gateway.DispatchAsync("INTERACTION_CREATE", interaction).ConfigureAwait(false);
        return exchange;
    }

    /// <summary>Delivers an interaction over HTTP, as Discord does to an Interactions Endpoint URL: a POST signed with the
    /// application's key (<c>X-Signature-Ed25519</c>, <c>X-Signature-Timestamp</c>). A 200 JSON answer is the initial
    /// response and is checked like a callback (its problems land in <see cref="FakeInteractionExchange.InlineRejection"/>);
    /// a 202 means the bot used the callback endpoint. Returns once the bot answered the POST.</summary>
    public async Task<FakeInteractionExchange> PostInteractionAsync(Uri endpoint, JsonObject interaction, CancellationToken ct = default)
    {
        var exchange = Register(interaction);
        var body = Encoding.UTF8.GetBytes(interaction.ToJsonString());
        var timestamp = Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Signature-Ed25519", Sign(timestamp, body));
        request.Headers.Add("X-Signature-Timestamp", timestamp);
        using var response = await InteractionHttp.SendAsync(request, ct).ConfigureAwait(false);
        exchange.HttpStatus = (int)response.StatusCode;
        var answer = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if ((int)response.StatusCode == 200 && answer.Length > 0)
        {
            var reply = InteractionCallback(exchange.Id, exchange.Token, answer, Clock.GetUtcNow());
            if (reply.Status != 204)
            {
                exchange.InlineRejection = reply.Body;
            }
        }

        return exchange;
    }

    private FakeInteractionExchange Register(JsonObject interaction)
    {
        var id = (string?)interaction["id"] ?? throw new ArgumentException("The interaction has no id.", nameof(interaction));
        var token = (string?)interaction["token"] ?? throw new ArgumentException("The interaction has no token.", nameof(interaction));
        var exchange = new FakeInteractionExchange(id, token, (int?)interaction["type"] ?? 0, (string?)interaction["channel_id"] ?? "",
            (string?)interaction["message"]?["id"]);
        lock (_lock)
        {
            _exchanges[id] = exchange;
            _exchangesByToken[token] = exchange;
        }

        InteractionDelivered(id);
        return exchange;
    }

    /// <summary>Callback rules beyond 40060/10062 (called under the lock): a known callback type; 6/7 only for components
    /// and modal submits (7 needs a message); 9 only for commands and components, and a valid modal; valid components.</summary>
    private Reply? CheckCallback(string interactionId, string body, DateTimeOffset now)
    {
        JsonObject callback;
        try
        {
            callback = JsonNode.Parse(body)?.AsObject() ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Reply.Error(400, 50109, "The request body contains invalid JSON.");
        }

        var type = callback["type"] is JsonValue v && v.TryGetValue<int>(out var t) ? t : -1;
        if (type is not (1 or 4 or 5 or 6 or 7 or 8 or 9))
        {
            return Reply.Json(400, FormError("type", "BASE_TYPE_CHOICES", "Value must be one of {1, 4, 5, 6, 7, 8, 9, 10, 12}."));
        }

        _exchanges.TryGetValue(interactionId, out var exchange);
        if (exchange is not null)
        {
            if (type is 6 or 7 && exchange.Type is not (3 or 5))
            {
                return Reply.Json(400, FormError("type", "INTERACTION_CALLBACK_TYPE_INVALID", $"Callback type {type} is only valid for component-based interactions."));
            }

            if (type == 7 && exchange.MessageId is null)
            {
                return Reply.Json(400, FormError("type", "INTERACTION_CALLBACK_TYPE_INVALID", "UPDATE_MESSAGE needs the interaction's message."));
            }

            if (type == 9 && exchange.Type is not (2 or 3))
            {
                return Reply.Json(400, FormError("type", "INTERACTION_CALLBACK_TYPE_INVALID", "A modal can only answer a command or a component."));
            }
        }

        var data = callback["data"] as JsonObject;
        if (type == 9)
        {
            var errors = new JsonObject();
            ValidateModal(data, errors);
            return errors.Count == 0 ? null : Reply.Json(400, Invalid(errors));
        }

        if (type is 4 or 7 && data is not null && ValidateMessage(data, edit: true) is { } invalid)
        {
            return Reply.Json(400, invalid);
        }

        return null;
    }

    /// <summary>After an accepted callback (under the lock): remembers its type, applies a type 7 to the component's message.</summary>
    private void CallbackAccepted(string interactionId, string body, DateTimeOffset now)
    {
        var callback = JsonNode.Parse(body)!.AsObject();
        if (!_exchanges.TryGetValue(interactionId, out var exchange))
        {
            return;
        }

        exchange.InitialType = (int?)callback["type"];
        if (exchange.InitialType == 7 && callback["data"] is JsonObject data && exchange.MessageId is { } messageId)
        {
            ApplyEdit(messageId, data, now, "callback type 7");
        }

        exchange.Answered(callback);
    }

    /// <summary>Edit Original Interaction Response: after type 6/7 it edits the component's message (an edit of that
    /// message), after type 5 the deferred reply. Before any response: 404 10008.</summary>
    private Reply EditOriginal(string applicationId, string token, string body, DateTimeOffset now)
    {
        JsonObject request;
        try
        {
            request = JsonNode.Parse(body)?.AsObject() ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Reply.Error(400, 50109, "The request body contains invalid JSON.");
        }

        lock (_lock)
        {
            _exchangesByToken.TryGetValue(token, out var exchange);
            if (exchange is { InitialType: null })
            {
                return Reply.Error(404, 10008, "Unknown Message");
            }

            if (ValidateMessage(request, edit: true) is { } invalid)
            {
                return Reply.Json(400, invalid);
            }

            _followUps.Add(new RecordedCallback(applicationId, token, body, now));
            JsonObject answer = new() { ["id"] = NewSnowflake() };
            if (exchange is { InitialType: 6 or 7, MessageId: { } messageId } && ApplyEdit(messageId, request, now, "PATCH @original") is { } edited)
            {
                answer = MessageJson(edited);
            }

            exchange?.Edited(request);
            return Reply.Json(200, answer);
        }
    }

    /// <summary>Create Followup Message: only after the initial response (else 404 10015 Unknown Webhook); recorded with its flags.</summary>
    private Reply CreateFollowup(string applicationId, string token, string body, DateTimeOffset now)
    {
        if (applicationId != ApplicationId)
        {
            return Reply.Error(404, 10015, "Unknown Webhook");
        }

        JsonObject request;
        try
        {
            request = JsonNode.Parse(body)?.AsObject() ?? throw new JsonException("not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Reply.Error(400, 50109, "The request body contains invalid JSON.");
        }

        lock (_lock)
        {
            _exchangesByToken.TryGetValue(token, out var exchange);
            if (exchange is { InitialType: null })
            {
                return Reply.Error(404, 10015, "Unknown Webhook");
            }

            if (ValidateMessage(request) is { } invalid)
            {
                return Reply.Json(400, invalid);
            }

            _followupMessages.Add(new RecordedCallback(applicationId, token, body, now));
            exchange?.FollowedUp(request);
            return Reply.Json(200, new JsonObject
            {
                ["id"] = NewSnowflake(),
                ["type"] = 0,
                ["channel_id"] = exchange?.ChannelId,
                ["content"] = request["content"]?.DeepClone() ?? "",
                ["flags"] = (int?)request["flags"] ?? 0,
                ["webhook_id"] = applicationId,
            });
        }
    }

    /// <summary>Edit Message: 10008 (404) for an unknown or deleted message, 50005 (403) for another author's, a scripted
    /// 30046 (429), 50035 for invalid embeds/components; counted in the channel's bucket shared with Create Message.</summary>
    private Reply EditMessage(string channel, string messageId, string body, DateTimeOffset now)
    {
        if (AdmitChannelWrite(channel, body, now, out var request, out var rateHeaders) is { } refused)
        {
            return refused;
        }

        lock (_lock)
        {
            var message = _messages.FirstOrDefault(m => m.Id == messageId && m.ChannelId == channel);
            if (message is null)
            {
                return Reply.Json(404, new JsonObject { ["message"] = "Unknown Message", ["code"] = 10008 }, rateHeaders);
            }

            if (message.AuthorId is not null)
            {
                return Reply.Json(403, new JsonObject { ["message"] = "Cannot edit a message authored by another user", ["code"] = 50005 }, rateHeaders);
            }

            if (_editLimits.TryGetValue(channel, out var left) && left > 0)
            {
                _editLimits[channel] = left - 1;
                rateHeaders["X-RateLimit-Scope"] = "user";
                return Reply.Json(429, new JsonObject
                {
                    ["message"] = "Maximum number of edits to messages older than 1 hour reached. Try again later",
                    ["code"] = 30046,
                    ["retry_after"] = Seconds(EditLimitRetryAfter),
                    ["global"] = false,
                }, rateHeaders);
            }

            if (ValidateMessage(request, edit: true) is { } invalid)
            {
                return Reply.Json(400, invalid, rateHeaders);
            }

            var edited = ApplyEdit(messageId, request, now, "PATCH /channels/{channel.id}/messages/{message.id}")!;
            return Reply.Json(200, MessageJson(edited), rateHeaders);
        }
    }

    /// <summary>Applies the fields an edit sends (content, embeds, components, allowed_mentions, flags; null clears) to the
    /// stored message and records the edit. Under the lock. Null when the message is gone.</summary>
    private RecordedMessage? ApplyEdit(string messageId, JsonObject request, DateTimeOffset now, string via)
    {
        var index = _messages.FindIndex(m => m.Id == messageId);
        if (index < 0)
        {
            return null;
        }

        var message = _messages[index];
        var body = message.Body.DeepClone().AsObject();
        foreach (var field in new[] { "content", "embeds", "components", "allowed_mentions", "flags" })
        {
            if (request.TryGetPropertyValue(field, out var value))
            {
                if (value is null)
                {
                    body.Remove(field);
                }
                else
                {
                    body[field] = value.DeepClone();
                }
            }
        }

        var updated = message with { Body = body, EditedAt = now };
        _messages[index] = updated;
        _edits.Add(new RecordedEdit(messageId, message.ChannelId, request.DeepClone().AsObject(), now, via));
        return updated;
    }

    /// <summary>Legacy message components: ≤5 action rows of 1-5 buttons; custom_id 1-100 and unique in the message; link
    /// buttons (style 5) a url ≤512 and no custom_id, others a custom_id and no url; label ≤80.</summary>
    private static void ValidateComponents(JsonNode? components, JsonObject errors)
    {
        if (components is null)
        {
            return;
        }

        if (components is not JsonArray rows)
        {
            errors["components"] = Leaf("BASE_TYPE_ARRAY", "Must be an array.");
            return;
        }

        var rowErrors = new JsonObject();
        if (rows.Count > 5)
        {
            rowErrors["_errors"] = new JsonArray(new JsonObject { ["code"] = "BASE_TYPE_MAX_LENGTH", ["message"] = "Must be 5 or fewer in length." });
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var one = new JsonObject();
            if (rows[r] is not JsonObject row || (int?)row["type"] != 1)
            {
                one["type"] = Leaf("COMPONENT_LAYOUT_WIDTH_EXCEEDED", "Top-level components must be action rows (type 1).");
            }
            else if (row["components"] is not JsonArray { Count: > 0 and <= 5 } children)
            {
                one["components"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
            }
            else
            {
                for (var c = 0; c < children.Count; c++)
                {
                    var problem = CheckButton(children[c] as JsonObject, ids);
                    if (problem is not null)
                    {
                        one["components"] ??= new JsonObject();
                        one["components"]![c.ToString(CultureInfo.InvariantCulture)] = problem;
                    }
                }
            }

            if (one.Count > 0)
            {
                rowErrors[r.ToString(CultureInfo.InvariantCulture)] = one;
            }
        }

        if (rowErrors.Count > 0)
        {
            errors["components"] = rowErrors;
        }
    }

    private static JsonObject? CheckButton(JsonObject? button, HashSet<string> ids)
    {
        if (button is null || (int?)button["type"] != 2)
        {
            return new JsonObject { ["type"] = Leaf("UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (2,) in an action row of buttons.") };
        }

        var errors = new JsonObject();
        var style = (int?)button["style"];
        var customId = (string?)button["custom_id"];
        var url = (string?)button["url"];
        if (style is not (>= 1 and <= 5))
        {
            errors["style"] = Leaf("BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.");
        }

        if (((string?)button["label"])?.Length > 80)
        {
            errors["label"] = Leaf("BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.");
        }

        if (style == 5)
        {
            if (customId is not null)
            {
                errors["custom_id"] = Leaf("BUTTON_COMPONENT_CUSTOM_ID_INVALID", "A link button cannot have a custom id.");
            }

            if (string.IsNullOrEmpty(url))
            {
                errors["url"] = Leaf("BUTTON_COMPONENT_URL_REQUIRED", "A link button requires a url.");
            }
            else if (url.Length > 512)
            {
                errors["url"] = Leaf("BASE_TYPE_MAX_LENGTH", "Must be 512 or fewer in length.");
            }
        }
        else
        {
            if (url is not null)
            {
                errors["url"] = Leaf("BUTTON_COMPONENT_URL_INVALID", "Only link buttons can have a url.");
            }

            if (customId is not { Length: >= 1 and <= 100 })
            {
                errors["custom_id"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
            }
            else if (!ids.Add(customId))
            {
                errors["custom_id"] = Leaf("COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated.");
            }
        }

        return errors.Count == 0 ? null : errors;
    }

    /// <summary>A modal (type 9 data): custom_id 1-100, title 1-45, 1-5 action rows each holding exactly one text input with
    /// custom_id 1-100, label 1-45, style 1 or 2, a boolean required if present, value ≤4000, placeholder ≤100.</summary>
    private static void ValidateModal(JsonObject? data, JsonObject errors)
    {
        if (data is null)
        {
            errors["data"] = Leaf("BASE_TYPE_REQUIRED", "This field is required");
            return;
        }

        var dataErrors = new JsonObject();
        if (((string?)data["custom_id"]) is not { Length: >= 1 and <= 100 })
        {
            dataErrors["custom_id"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
        }

        if (((string?)data["title"]) is not { Length: >= 1 and <= 45 })
        {
            dataErrors["title"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.");
        }

        if (data["components"] is not JsonArray { Count: >= 1 and <= 5 } rows)
        {
            dataErrors["components"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.");
        }
        else
        {
            var rowErrors = new JsonObject();
            for (var r = 0; r < rows.Count; r++)
            {
                var problems = new JsonObject();
                if (rows[r] is not JsonObject { } row || (int?)row["type"] != 1 || row["components"] is not JsonArray { Count: 1 } inputs
                    || inputs[0] is not JsonObject input)
                {
                    problems["components"] = Leaf("BASE_TYPE_BAD_LENGTH", "An action row in a modal holds exactly one text input.");
                }
                else
                {
                    if ((int?)input["type"] != 4)
                    {
                        problems["type"] = Leaf("UNION_TYPE_CHOICES", "Value of field \"type\" must be one of (4,).");
                    }

                    if (((string?)input["custom_id"]) is not { Length: >= 1 and <= 100 })
                    {
                        problems["custom_id"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.");
                    }

                    if (((string?)input["label"]) is not { Length: >= 1 and <= 45 })
                    {
                        problems["label"] = Leaf("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.");
                    }

                    if ((int?)input["style"] is not (1 or 2))
                    {
                        problems["style"] = Leaf("BASE_TYPE_CHOICES", "Value must be one of {1, 2}.");
                    }

                    if (input["required"] is { } required && required.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        problems["required"] = Leaf("BASE_TYPE_BOOLEAN", "Must be either true or false.");
                    }

                    if (((string?)input["value"])?.Length > 4000)
                    {
                        problems["value"] = Leaf("BASE_TYPE_MAX_LENGTH", "Must be 4000 or fewer in length.");
                    }

                    if (((string?)input["placeholder"])?.Length > 100)
                    {
                        problems["placeholder"] = Leaf("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.");
                    }
                }

                if (problems.Count > 0)
                {
                    rowErrors[r.ToString(CultureInfo.InvariantCulture)] = problems.Count == 1 && problems.ContainsKey("components")
                        ? problems
                        : new JsonObject { ["components"] = new JsonObject { ["0"] = problems } };
                }
            }

            if (rowErrors.Count > 0)
            {
                dataErrors["components"] = rowErrors;
            }
        }

        if (dataErrors.Count > 0)
        {
            errors["data"] = dataErrors;
        }
    }

    private static JsonObject Invalid(JsonObject errors) => new() { ["code"] = 50035, ["errors"] = errors, ["message"] = "Invalid Form Body" };

    private static JsonObject FormError(string field, string code, string message) => Invalid(new JsonObject { [field] = Leaf(code, message) });
}
