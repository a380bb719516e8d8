using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DetaineeAlertBot.Slack.Fake;

// Cards: chat.update, threads, deletes, views.open, trigger_ids and interaction payloads.
public sealed partial class FakeSlackServer
{
    /// <summary>What chat.postMessage answers for a thread_ts that names no top-level message of the channel. Slack's
    /// method docs in our sources do not list it; live reports (and Go / Python clients' error tables) show
    /// <c>invalid_thread_ts</c>, also for a reply's ts used as a parent.</summary>
    public const string ThreadNotFoundError = "invalid_thread_ts";

    private readonly ConcurrentDictionary<string, StoredMessage> _store = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeMessageEdit> _edits = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _triggers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FakeView> _views = new();
    private readonly ConcurrentDictionary<string, (string Channel, string Ts)> _responseUrlTargets = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _updateArrivals = new();
    private readonly SemaphoreSlim _viewOpened = new(0);
    private int _triggerCount;
    private int _viewCount;

    /// <summary>chat.update calls the workspace may make per minute (Tier 3), counted on <see cref="Clock"/> over a sliding
    /// minute; more get 429 with Retry-After (counted in <see cref="RateLimitedCount"/>). Null turns enforcement off.</summary>
    public int? UpdatesPerMinute { get; set; } = 50;

    /// <summary>How long a trigger_id may be used for views.open after the fake issued it ("within 3 seconds"), on <see cref="Clock"/>.</summary>
    public TimeSpan TriggerLifetime { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Every accepted edit, in order.</summary>
    public IReadOnlyList<FakeMessageEdit> Edits => _edits.ToArray();

    /// <summary>Every modal views.open accepted, in order.</summary>
    public IReadOnlyList<FakeView> OpenedViews => _views.ToArray();

    /// <summary>A message as it is now, or null if the fake never had it.</summary>
    public FakeMessageSnapshot? Message(string channel, string ts) => _store.TryGetValue(Key(channel, ts), out var stored) ? stored.Snapshot() : null;

    /// <summary>What a reader of the channel sees: top-level messages and broadcast thread replies, not deleted, in order.</summary>
    public IReadOnlyList<FakeMessageSnapshot> ChannelMessages(string channel) =>
        _messages.Where(m => m.Channel == channel && IsInChannel(m)).Select(m => Message(m.Channel, m.Ts)!).ToArray();

    /// <summary>The replies in one thread (broadcast or not), not deleted, in order.</summary>
    public IReadOnlyList<FakeMessageSnapshot> ThreadReplies(string channel, string parentTs) =>
        _messages.Where(m => m.Channel == channel && m.ThreadTs == parentTs)
            .Select(m => Message(m.Channel, m.Ts)!).Where(m => !m.Deleted).ToArray();

    /// <summary>Deletes a message as a person would by hand: chat.update of it is then message_not_found and a reply to it
    /// <see cref="ThreadNotFoundError"/>. False if there was no such message.</summary>
    public bool DeleteMessage(string channel, string ts)
    {
        if (!_store.TryGetValue(Key(channel, ts), out var stored))
        {
            return false;
        }

        lock (stored)
        {
            stored.Deleted = true;
        }

        return true;
    }

    /// <summary>From now on chat.update of this message answers edit_window_closed (a workspace's edit settings).</summary>
    public void CloseEditWindow(string channel, string ts)
    {
        if (_store.TryGetValue(Key(channel, ts), out var stored))
        {
            lock (stored)
            {
                stored.EditWindowClosed = true;
            }
        }
    }

    /// <summary>A message a person posted in the channel: the bot may reply to it but chat.update of it is cant_update_message.</summary>
    public FakeMessage AddUserMessage(string channel, string text, string userId = "U111")
    {
        var body = JsonSerializer.SerializeToElement(new { channel, text, user = userId });
        var message = new FakeMessage(channel, NewTs(), body, DateTimeOffset.UtcNow) { PostedByBot = false };
        Store(message);
        _messages.Enqueue(message);
        return message;
    }

    /// <summary>A fresh trigger_id, valid for <see cref="TriggerLifetime"/> from now on <see cref="Clock"/>. The fake issues
    /// one with every slash command and interaction it injects.</summary>
    public string IssueTriggerId()
    {
        var id = $"{Interlocked.Increment(ref _triggerCount)}.{TeamId[1..]}.{Guid.NewGuid():N}";
        _triggers[id] = Clock.GetUtcNow();
        return id;
    }

    /// <summary>Waits until views.open has accepted <paramref name="count"/> views in total.</summary>
    public async Task<IReadOnlyList<FakeView>> WaitForOpenedViewsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (_views.Count < count)
        {
            await _viewOpened.WaitAsync(cts.Token);
        }

        return OpenedViews;
    }

    /// <summary>The posts to one response_url, in order.</summary>
    public IReadOnlyList<FakeResponseUrlPost> ResponseUrlPostsFor(string responseUrl)
    {
        var id = responseUrl[(responseUrl.LastIndexOf('/') + 1)..];
        return _hookPosts.Where(p => p.Id == id).Select(p => new FakeResponseUrlPost(responseUrl, p.Body)).ToArray();
    }

    /// <summary>
    /// A block_actions payload for a click on the element <paramref name="actionId"/> of a message as it is now (its
    /// block_id, element type and, for a button, its value unless <paramref name="value"/> is given), by
    /// <paramref name="userId"/>, with a fresh trigger_id and a response_url on this fake that replaces or deletes that
    /// message when posted to with replace_original / delete_original.
    /// </summary>
    public FakeInteraction BlockActions(FakeMessage message, string actionId, string? value = null, string userId = "U111")
    {
        var current = Message(message.Channel, message.Ts) ?? throw new ArgumentException("The fake does not have that message.", nameof(message));
        string? blockId = null;
        var type = "button";
        foreach (var block in current.Blocks is { ValueKind: JsonValueKind.Array } blocks ? blocks.EnumerateArray() : default)
        {
            if (!block.TryGetProperty("elements", out var elements) || elements.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var element in elements.EnumerateArray())
            {
                if (element.TryGetProperty("action_id", out var a) && a.GetString() == actionId)
                {
                    blockId = block.TryGetProperty("block_id", out var b) ? b.GetString() : $"fake-{Guid.NewGuid():N}"[..10];
                    type = element.TryGetProperty("type", out var t) ? t.GetString() ?? type : type;
                    value ??= element.TryGetProperty("value", out var v) ? v.GetString() : null;
                }
            }
        }

        if (blockId is null)
        {
            throw new ArgumentException($"The message has no element with action_id {actionId}.", nameof(actionId));
        }

        var triggerId = IssueTriggerId();
        var responseUrl = NewResponseUrl();
        _responseUrlTargets[responseUrl[(responseUrl.LastIndexOf('/') + 1)..]] = (message.Channel, message.Ts);
        var actionTs = ((double)Clock.GetUtcNow().ToUnixTimeMilliseconds() / 1000).ToString("0.000000", CultureInfo.InvariantCulture);
        var payload = new Dictionary<string, object?>
        {
            ["type"] = "block_actions",
            ["user"] = new { id = userId, username = userId.ToLowerInvariant(), name = userId.ToLowerInvariant(), team_id = TeamId },
            ["api_app_id"] = AppId,
            ["token"] = "fake-verification-token",
            ["container"] = new { type = "message", message_ts = message.Ts, channel_id = message.Channel, is_ephemeral = false },
            ["trigger_id"] = triggerId,
            ["team"] = new { id = TeamId, domain = "fake" },
            ["enterprise"] = null,
            ["is_enterprise_install"] = false,
            ["channel"] = new { id = message.Channel, name = "random" },
            ["message"] = new Dictionary<string, object?>
            {
                ["type"] = "message", ["ts"] = message.Ts, ["thread_ts"] = current.ThreadTs, ["bot_id"] = BotId,
                ["text"] = current.Text, ["blocks"] = current.Blocks,
            },
            ["state"] = new { values = new { } },
            ["response_url"] = responseUrl,
            ["actions"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["type"] = type, ["action_id"] = actionId, ["block_id"] = blockId, ["value"] = value,
                    ["text"] = new { type = "plain_text", text = "button", emoji = true }, ["action_ts"] = actionTs,
                },
            },
        };
        return new FakeInteraction(JsonSerializer.Serialize(payload), triggerId, responseUrl);
    }

    /// <summary>
    /// A view_submission payload for an opened view: <paramref name="valuesByBlockId"/> gives each input block's entry
    /// (an input block has one element: a text input's value, a select's option value, a date as YYYY-MM-DD); blocks not
    /// given are submitted empty, as Slack does. Carries the view's callback_id and private_metadata and a fresh trigger_id.
    /// </summary>
    public FakeInteraction ViewSubmission(FakeView view, IReadOnlyDictionary<string, string?> valuesByBlockId, string userId = "U111")
    {
        var values = new Dictionary<string, Dictionary<string, Dictionary<string, object?>>>();
        foreach (var block in view.View.TryGetProperty("blocks", out var blocks) ? blocks.EnumerateArray() : default)
        {
            if (block.GetProperty("type").GetString() != "input" || !block.TryGetProperty("element", out var element))
            {
                continue;
            }

            var blockId = block.TryGetProperty("block_id", out var b) ? b.GetString()! : "";
            var actionId = element.TryGetProperty("action_id", out var a) ? a.GetString()! : "";
            var type = element.GetProperty("type").GetString();
            var given = valuesByBlockId.TryGetValue(blockId, out var v) ? v : null;
            var state = new Dictionary<string, object?> { ["type"] = type };
            switch (type)
            {
                case "static_select":
                    state["selected_option"] = given is null ? null : new { text = new { type = "plain_text", text = OptionText(element, given), emoji = true }, value = given };
                    break;
                case "datepicker":
                    state["selected_date"] = given;
                    break;
                default:
                    state["value"] = given;
                    break;
            }

            values[blockId] = new() { [actionId] = state };
        }

        foreach (var blockId in valuesByBlockId.Keys.Where(k => !values.ContainsKey(k)))
        {
            throw new ArgumentException($"The view has no input block {blockId}.", nameof(valuesByBlockId));
        }

        var triggerId = IssueTriggerId();
        var payload = new Dictionary<string, object?>
        {
            ["type"] = "view_submission",
            ["team"] = new { id = TeamId, domain = "fake" },
            ["user"] = new { id = userId, username = userId.ToLowerInvariant(), name = userId.ToLowerInvariant(), team_id = TeamId },
            ["api_app_id"] = AppId,
            ["token"] = "fake-verification-token",
            ["trigger_id"] = triggerId,
            ["view"] = new Dictionary<string, object?>
            {
                ["id"] = view.Id, ["team_id"] = TeamId, ["type"] = "modal", ["callback_id"] = view.CallbackId,
                ["private_metadata"] = view.PrivateMetadata ?? "", ["hash"] = "1764150000.fakehash", ["app_id"] = AppId, ["bot_id"] = BotId,
                ["blocks"] = view.View.TryGetProperty("blocks", out var vb) ? vb : null,
                ["state"] = new { values },
            },
            ["response_urls"] = Array.Empty<object>(),
        };
        return new FakeInteraction(JsonSerializer.Serialize(payload), triggerId, ResponseUrl: null);
    }

    /// <summary>An interaction request as Slack's HTTP transport sends it: <c>application/x-www-form-urlencoded</c> with one
    /// field <c>payload</c>, signed v0 with <paramref name="signingSecret"/> over the raw body at <paramref name="timestamp"/>
    /// (Unix seconds; default now).</summary>
    public static HttpRequestMessage SignedInteractionRequest(string url, string payloadJson, string signingSecret, long? timestamp = null)
    {
        var body = "payload=" + Uri.EscapeDataString(payloadJson);
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var signature = "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingSecret), Encoding.UTF8.GetBytes($"v0:{ts}:{body}")));
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(url, UriKind.RelativeOrAbsolute))
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/x-www-form-urlencoded")),
        };
        request.Headers.Add("X-Slack-Request-Timestamp", ts);
        request.Headers.Add("X-Slack-Signature", signature);
        return request;
    }

    private static string OptionText(JsonElement select, string value)
    {
        foreach (var option in select.TryGetProperty("options", out var options) ? options.EnumerateArray() : default)
        {
            if (option.TryGetProperty("value", out var v) && v.GetString() == value)
            {
                return option.GetProperty("text").GetProperty("text").GetString() ?? value;
            }
        }

        return value;
    }

    private string NewTs() => $"1764150000.{Interlocked.Increment(ref _ts):D6}";

    private static string Key(string channel, string ts) => channel + "/" + ts;

    private void Store(FakeMessage message)
    {
        var text = message.Body.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        JsonElement? blocks = message.Body.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array ? b : null;
        _store[Key(message.Channel, message.Ts)] = new StoredMessage(message) { Text = text, Blocks = blocks };
    }

    private bool IsInChannel(FakeMessage message) =>
        (message.ThreadTs is null || message.ReplyBroadcast)
        && !(_store.TryGetValue(Key(message.Channel, message.Ts), out var stored) && stored.Snapshot().Deleted);

    private bool IsThreadParent(string channel, string ts) =>
        _store.TryGetValue(Key(channel, ts), out var parent) && parent.Snapshot() is { Deleted: false, ThreadTs: null };

    /// <summary>chat.update (https://docs.slack.dev/reference/methods/chat.update): Tier 3 per workspace; the message must exist
    /// in that channel, be the bot's and be inside the edit window; blocks replace the blocks wholesale, a text without
    /// blocks removes them, omitting both is no_text.</summary>
    private async Task<FakeResponse> UpdateMessageAsync(HttpContext context)
    {
        if (UpdateRateLimited() is { } limited)
        {
            return limited;
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            return FakeResponse.Error("invalid_arguments");
        }

        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return FakeResponse.Error("invalid_json");
        }

        var channel = body.TryGetProperty("channel", out var c) ? c.GetString() ?? "" : "";
        var ts = body.TryGetProperty("ts", out var t) ? t.GetString() ?? "" : "";
        if (channel.Length == 0 || (!Channels.IsEmpty && !Channels.ContainsKey(channel)))
        {
            return FakeResponse.Error("channel_not_found");
        }

        if (!_store.TryGetValue(Key(channel, ts), out var stored) || stored.Snapshot().Deleted)
        {
            return FakeResponse.Error("message_not_found");
        }

        var snapshot = stored.Snapshot();
        if (!snapshot.PostedByBot)
        {
            return FakeResponse.Error("cant_update_message");
        }

        if (stored.EditWindowClosed)
        {
            return FakeResponse.Error("edit_window_closed");
        }

        var hasText = body.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String;
        var hasBlocks = body.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array;
        if (!hasText && !hasBlocks)
        {
            return FakeResponse.Error("no_text");
        }

        if (hasBlocks && BlockKitRules.Check(blocks) is { } problem)
        {
            return problem;
        }

        lock (stored)
        {
            if (hasText)
            {
                stored.Text = text.GetString();
            }

            // "If you don't include blocks, the message's blocks are removed if text is given, kept if it is not."
            stored.Blocks = hasBlocks ? blocks : null;
            var edit = new FakeMessageEdit(channel, ts, body, Clock.GetUtcNow());
            stored.Edits.Add(edit);
            _edits.Enqueue(edit);
        }

        return FakeResponse.Ok(JsonSerializer.Serialize(new
        {
            ok = true,
            channel,
            ts,
            text = stored.Snapshot().Text,
            message = new { type = "message", ts, text = stored.Snapshot().Text, bot_id = BotId },
        }));
    }

    private FakeResponse? UpdateRateLimited()
    {
        if (UpdatesPerMinute is not { } limit)
        {
            return null;
        }

        lock (_rateLock)
        {
            var now = Clock.GetUtcNow();
            while (_updateArrivals.Count > 0 && _updateArrivals.Peek() <= now - TimeSpan.FromMinutes(1))
            {
                _updateArrivals.Dequeue();
            }

            if (_updateArrivals.Count >= limit)
            {
                Interlocked.Increment(ref _rateLimited);
                var wait = _updateArrivals.Peek() + TimeSpan.FromMinutes(1) - now;
                return FakeResponse.RateLimited(Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)));
            }

            _updateArrivals.Enqueue(now);
            return null;
        }
    }

    /// <summary>views.open (https://docs.slack.dev/reference/methods/views.open): a trigger_id this fake issued, used within
    /// <see cref="TriggerLifetime"/>, and a modal within the limits of NSDK's views.ts, else invalid_arguments with
    /// Slack-style messages.</summary>
    private async Task<FakeResponse> OpenViewAsync(HttpContext context)
    {
        JsonElement body;
        try
        {
            body = (await JsonDocument.ParseAsync(context.Request.Body)).RootElement.Clone();
        }
        catch (JsonException)
        {
            return FakeResponse.Error("invalid_json");
        }

        var triggerId = body.TryGetProperty("trigger_id", out var tr) ? tr.GetString() ?? "" : "";
        if (!_triggers.TryGetValue(triggerId, out var issued))
        {
            return FakeResponse.Error("invalid_trigger_id");
        }

        if (Clock.GetUtcNow() - issued > TriggerLifetime)
        {
            return FakeResponse.Error("expired_trigger_id");
        }

        if (!body.TryGetProperty("view", out var view) || view.ValueKind != JsonValueKind.Object)
        {
            return FakeResponse.Error("invalid_arguments", "\"response_metadata\":{\"messages\":[\"[ERROR] missing required field: view\"]}");
        }

        if (BlockKitRules.CheckModal(view) is { } problem)
        {
            return problem;
        }

        var id = $"V{Interlocked.Increment(ref _viewCount):D8}";
        _views.Enqueue(new FakeView(id, triggerId, view, Clock.GetUtcNow()));
        _viewOpened.Release();
        return FakeResponse.Ok(JsonSerializer.Serialize(new
        {
            ok = true,
            view = new { id, team_id = TeamId, type = "modal", callback_id = view.TryGetProperty("callback_id", out var cb) ? cb.GetString() : "", hash = "1764150000.fakehash", state = new { values = new { } } },
        }));
    }

    // replace_original / delete_original on a response_url of a block_actions payload act on the message clicked.
    private void ApplyResponseUrlPost(string id, JsonElement body)
    {
        if (!_responseUrlTargets.TryGetValue(id, out var target) || !_store.TryGetValue(Key(target.Channel, target.Ts), out var stored))
        {
            return;
        }

        lock (stored)
        {
            if (body.TryGetProperty("delete_original", out var delete) && delete.ValueKind == JsonValueKind.True)
            {
                stored.Deleted = true;
            }
            else if (body.TryGetProperty("replace_original", out var replace) && replace.ValueKind == JsonValueKind.True)
            {
                stored.Text = body.TryGetProperty("text", out var text) ? text.GetString() : stored.Text;
                stored.Blocks = body.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array ? blocks : null;
                var edit = new FakeMessageEdit(target.Channel, target.Ts, body, Clock.GetUtcNow(), ViaResponseUrl: true);
                stored.Edits.Add(edit);
                _edits.Enqueue(edit);
            }
        }
    }

    private sealed class StoredMessage(FakeMessage message)
    {
        public string? Text { get; set; }

        public JsonElement? Blocks { get; set; }

        public bool Deleted { get; set; }

        public bool EditWindowClosed { get; set; }

        public List<FakeMessageEdit> Edits { get; } = [];

        public FakeMessageSnapshot Snapshot()
        {
            lock (this)
            {
                return new FakeMessageSnapshot(message.Channel, message.Ts, Text, Blocks, message.ThreadTs, message.ReplyBroadcast,
                    message.PostedByBot, Deleted, Edits.ToArray());
            }
        }
    }
}
