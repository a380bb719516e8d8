using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DetaineeAlertBot.Resilience;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>
/// Calls the Slack Web API with JSON bodies and a Bearer token
/// (https://docs.slack.dev/apis/web-api). Every response goes through one parser, because
/// Slack reports most failures as HTTP 200 with <c>ok:false</c>. Failures surface as
/// <see cref="SlackApiException"/> with an <see cref="SlackErrorClass"/>.
/// </summary>
/// <remarks>
/// Retries are bounded by <see cref="SlackApiClientOptions.MaxAttempts"/>. A 429 is always safe to retry
/// (nothing was done). Server errors and lost responses are retried only for read-only calls: a second
/// chat.postMessage could post twice, so those are handed back to the caller as retryable.
/// </remarks>
public sealed class SlackApiClient
{
    private readonly HttpClient _http;
    private readonly SlackApiClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Uri _baseUri;
    private readonly SlackChannelPacer _pacer;
    private readonly SlackMethodPacer? _updatePacer;
    private readonly Backoff _retryBackoff;

    public SlackApiClient(HttpClient http, SlackApiClientOptions options, TimeProvider time, ILogger<SlackApiClient> logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        _http = http;
        _options = options;
        _time = time;
        _logger = logger;
        var baseUrl = options.BaseUrl.EndsWith('/') ? options.BaseUrl : options.BaseUrl + "/";
        _baseUri = new Uri(baseUrl, UriKind.Absolute);
        _pacer = new SlackChannelPacer(options.ChannelMessageInterval, options.MaxPacingWait, time);
        _updatePacer = options.MessageUpdatesPerWindow > 0
            ? new SlackMethodPacer("chat.update", options.MessageUpdatesPerWindow, options.MessageUpdateWindow, options.MaxPacingWait, time)
            : null;
        _retryBackoff = new Backoff(options.RetryBackoff, options.MaxRetryBackoff);
    }

    /// <summary>auth.test: checks the bot token and says which bot and workspace it belongs to.</summary>
    public async Task<AuthTestResult> AuthTestAsync(CancellationToken ct)
    {
        var body = await CallAsync("auth.test", () => Post("auth.test", _options.BotToken, content: null),
            idempotent: true, channel: null, ct).ConfigureAwait(false);
        return Deserialize(body, "auth.test", SlackJsonContext.Default.AuthTestResult);
    }

    /// <summary>bots.info (scope users:read): the bot's app id, to recognise requests addressed to this app.</summary>
    public async Task<BotInfo> GetBotAsync(string botId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(botId);
        var body = await CallAsync("bots.info", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUri, "bots.info?bot=" + Uri.EscapeDataString(botId)));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.BotToken);
            return request;
        }, idempotent: true, channel: null, ct).ConfigureAwait(false);
        var response = Deserialize(body, "bots.info", SlackJsonContext.Default.BotsInfoResponse);
        return response.Bot ?? throw new SlackApiException("bots.info", "invalid_response", SlackErrorClass.Retryable,
            "Slack bots.info answered ok without a bot object.");
    }

    /// <summary>chat.postMessage, paced per channel. Returns the channel and ts Slack assigned.</summary>
    public async Task<PostedMessage> PostMessageAsync(ChatPostMessageRequest message, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(message.Channel);
        var body = await CallAsync("chat.postMessage",
            () => Post("chat.postMessage", _options.BotToken,
                JsonContent.Create(message, SlackJsonContext.Default.ChatPostMessageRequest)),
            idempotent: false, channel: message.Channel, ct).ConfigureAwait(false);
        return Deserialize(body, "chat.postMessage", SlackJsonContext.Default.PostedMessage);
    }

    /// <summary>
    /// chat.update (Tier 3): replaces the text and the whole blocks array of a message this bot posted. Blocks are always
    /// sent (pass an empty list to clear them): a text-only update would wipe them. Paced per workspace to
    /// <see cref="SlackApiClientOptions.MessageUpdatesPerWindow"/>; retried like reads, since sending the same edit twice
    /// changes nothing. A message that cannot be edited (deleted, not ours, edit window closed) throws a
    /// <see cref="SlackApiException"/> with <see cref="SlackApiException.CannotEditMessage"/> set: post a new message instead.
    /// </summary>
    public async Task<PostedMessage> UpdateMessageAsync(string channel, string ts, string text, IReadOnlyList<SlackBlock> blocks, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentException.ThrowIfNullOrEmpty(ts);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(blocks);
        var request = new ChatUpdateRequest(channel, ts, text, blocks);
        var body = await CallAsync("chat.update",
            () => Post("chat.update", _options.BotToken, JsonContent.Create(request, SlackJsonContext.Default.ChatUpdateRequest)),
            idempotent: true, channel: null, ct, _updatePacer).ConfigureAwait(false);
        return Deserialize(body, "chat.update", SlackJsonContext.Default.PostedMessage);
    }

    /// <summary>
    /// views.open (Tier 4): opens a modal for the user whose interaction or slash command carried
    /// <paramref name="triggerId"/> (valid 3 s, once). Returns the view id. Not retried on server errors: by the time a
    /// retry went out the trigger would be spent or expired. <c>expired_trigger_id</c>, <c>invalid_trigger_id</c> and
    /// <c>invalid_arguments</c> (a view Slack refuses, with its messages in <see cref="SlackApiException.Details"/>) throw.
    /// </summary>
    public async Task<string> OpenViewAsync(string triggerId, SlackView view, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(triggerId);
        ArgumentNullException.ThrowIfNull(view);
        var request = new ViewsOpenRequest(triggerId, view);
        var body = await CallAsync("views.open",
            () => Post("views.open", _options.BotToken, JsonContent.Create(request, SlackJsonContext.Default.ViewsOpenRequest)),
            idempotent: false, channel: null, ct).ConfigureAwait(false);
        var response = Deserialize(body, "views.open", SlackJsonContext.Default.ViewsOpenResponse);
        return response.View?.Id ?? throw new SlackApiException("views.open", "invalid_response", SlackErrorClass.Retryable,
            "Slack views.open answered ok without a view id.");
    }

    /// <summary>users.info (scope users:read): the user's admin and owner flags.</summary>
    public async Task<SlackUser> GetUserAsync(string userId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var body = await CallAsync("users.info", () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUri, "users.info?user=" + Uri.EscapeDataString(userId)));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.BotToken);
            return request;
        }, idempotent: true, channel: null, ct).ConfigureAwait(false);
        var response = Deserialize(body, "users.info", SlackJsonContext.Default.UsersInfoResponse);
        return response.User ?? throw new SlackApiException("users.info", "invalid_response", SlackErrorClass.Retryable,
            "Slack users.info answered ok without a user object.");
    }

    /// <summary>
    /// conversations.history (scope channels:history, groups:history for private channels): the channel's messages
    /// since <paramref name="oldest"/>, newest first, with their metadata, following the cursor for at most
    /// <paramref name="maxMessages"/>. Read-only, so retried like the other reads.
    /// </summary>
    public async Task<IReadOnlyList<HistoryMessage>> GetHistoryAsync(string channel, DateTimeOffset oldest, int maxMessages, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        const int PageSize = 200;
        var messages = new List<HistoryMessage>();
        string? cursor = null;
        var oldestTs = (oldest.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture);
        do
        {
            var query = $"conversations.history?channel={Uri.EscapeDataString(channel)}&oldest={oldestTs}&inclusive=true&include_all_metadata=true"
                + $"&limit={Math.Min(PageSize, maxMessages - messages.Count)}" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            var body = await CallAsync("conversations.history", () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUri, query));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.BotToken);
                return request;
            }, idempotent: true, channel: null, ct).ConfigureAwait(false);
            var page = Deserialize(body, "conversations.history", SlackJsonContext.Default.ConversationsHistoryResponse);
            messages.AddRange(page.Messages ?? []);
            // An empty page ends the read even if Slack says has_more, so the page count stays bounded by maxMessages.
            cursor = page.HasMore && page.Messages is { Count: > 0 } ? page.ResponseMetadata?.NextCursor : null;
        }
        while (!string.IsNullOrEmpty(cursor) && messages.Count < maxMessages);
        return messages;
    }

    /// <summary>apps.connections.open with the app-level token (xapp-...): a fresh Socket Mode URL.</summary>
    public async Task<Uri> OpenSocketModeUrlAsync(string appToken, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(appToken);
        var body = await CallAsync("apps.connections.open", () => Post("apps.connections.open", appToken, content: null),
            idempotent: true, channel: null, ct).ConfigureAwait(false);
        var response = Deserialize(body, "apps.connections.open", SlackJsonContext.Default.ConnectionsOpenResponse);
        if (!Uri.TryCreate(response.Url, UriKind.Absolute, out var url) || (url.Scheme != "wss" && url.Scheme != "ws"))
        {
            throw new SlackApiException("apps.connections.open", "invalid_response", SlackErrorClass.Retryable,
                "Slack apps.connections.open returned no usable WebSocket URL.");
        }

        return url;
    }

    /// <summary>
    /// Posts to a slash command's or a block_actions interaction's response_url (usable 5 times within 30 minutes):
    /// <c>response_type</c>, <c>replace_original</c> and <c>delete_original</c> are sent as set (answer a button with
    /// both set explicitly: https://github.com/getsentry/sentry/pull/73590). Slack answers a plain-text <c>ok</c> on
    /// success. Not retried on server errors: it could post twice.
    /// </summary>
    public async Task RespondAsync(string responseUrl, SlashCommandResponse response, CancellationToken ct)
    {
        if (!Uri.TryCreate(responseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new SlackApiException("response_url", "invalid_response_url", SlackErrorClass.BadPayload,
                "The slash command's response_url is not an absolute http(s) URL.");
        }

        using var deadline = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(response, SlackJsonContext.Default.SlashCommandResponse),
        };
        HttpResponseMessage reply;
        try
        {
            reply = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            throw new SlackApiException("response_url", "transport_error", SlackErrorClass.Retryable,
                $"Posting to the slash command's response_url failed: {e.Message}", inner: e);
        }

        using (reply)
        {
            var text = (await reply.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).Trim();
            if (reply.StatusCode == HttpStatusCode.OK && (text == "ok" || text.Contains("\"ok\":true", StringComparison.Ordinal)))
            {
                return;
            }

            var error = reply.StatusCode == HttpStatusCode.OK ? text : $"http_{(int)reply.StatusCode}";
            throw new SlackApiException("response_url", error.Length > 100 ? error[..100] : error,
                (int)reply.StatusCode >= 500 ? SlackErrorClass.Retryable : SlackErrorClass.BadPayload,
                $"Slack refused the response_url post: HTTP {(int)reply.StatusCode} {Shorten(text)}");
        }
    }

    private HttpRequestMessage Post(string method, string token, HttpContent? content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUri, method))
        {
            Content = content ?? new StringContent("", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    // Sends with bounded retries and returns the body of an ok:true response.
    private async Task<byte[]> CallAsync(string method, Func<HttpRequestMessage> build, bool idempotent, string? channel, CancellationToken ct,
        SlackMethodPacer? methodPacer = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt >= _options.MaxAttempts;
            HttpResponseMessage response;
            try
            {
                if (methodPacer is not null)
                {
                    await methodPacer.WaitTurnAsync(ct).ConfigureAwait(false);
                }

                response = channel is null
                    ? await SendOnceAsync(build, ct).ConfigureAwait(false)
                    : await _pacer.RunAsync(channel, () => SendOnceAsync(build, ct),
                        r => r.StatusCode == HttpStatusCode.TooManyRequests ? ReadRetryAfter(r) + Jitter() : null, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                var error = e is OperationCanceledException ? "timeout" : "transport_error";
                if (idempotent && !last)
                {
                    _logger.LogWarning("Slack {Method} attempt {Attempt} failed ({Error}: {Message}); retrying", method, attempt, error, e.Message);
                    // A failed attempt: the shared Backoff over the attempts so far.
                    await DelayAsync(_retryBackoff.Delay(attempt), ct).ConfigureAwait(false);
                    continue;
                }

                throw new SlackApiException(method, error, SlackErrorClass.Retryable,
                    $"Slack {method} failed ({error}): {e.Message}. The request may or may not have been processed.", inner: e);
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    // A channel-paced call already paused its channel (inside its turn); the pacer makes the next attempt wait.
                    var retryAfter = ReadRetryAfter(response);
                    if (!last && retryAfter <= _options.MaxRetryAfter)
                    {
                        _logger.LogWarning("Slack {Method} rate limited (429), waiting {RetryAfter} s before attempt {Next}",
                            method, retryAfter.TotalSeconds, attempt + 1);
                        if (methodPacer is not null)
                        {
                            methodPacer.Pause(retryAfter + Jitter());
                        }
                        else if (channel is null)
                        {
                            await DelayAsync(retryAfter + Jitter(), ct).ConfigureAwait(false);
                        }

                        continue;
                    }

                    throw new SlackApiException(method, "ratelimited", SlackErrorClass.Retryable,
                        $"Slack {method} is rate limited: retry after {retryAfter.TotalSeconds:F0} s.", retryAfter);
                }

                var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                var failure = Parse(method, response.StatusCode, body);
                if (failure is null)
                {
                    return body;
                }

                // ok:false rate_limited means nothing was posted, so a retry cannot duplicate.
                var safeToRetry = idempotent || failure.Error is "ratelimited" or "rate_limited" or "message_limit_exceeded";
                if (failure.ErrorClass == SlackErrorClass.Retryable && safeToRetry && !last)
                {
                    _logger.LogWarning("Slack {Method} attempt {Attempt} failed with {Error}; retrying", method, attempt, failure.Error);
                    // Slack's own wait when it gave one, else the shared Backoff over the attempts so far.
                    var wait = failure.RetryAfter ?? _retryBackoff.Delay(attempt);
                    if (channel is not null)
                    {
                        _pacer.Pause(channel, wait);
                    }
                    else if (methodPacer is not null)
                    {
                        methodPacer.Pause(wait);
                    }
                    else
                    {
                        await DelayAsync(wait, ct).ConfigureAwait(false);
                    }

                    continue;
                }

                throw failure;
            }
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> build, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var request = build();
        return await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>The single response parser: null for ok:true, otherwise the classified failure.</summary>
    private SlackApiException? Parse(string method, HttpStatusCode status, byte[] body)
    {
        SlackResponseEnvelope? envelope = null;
        try
        {
            envelope = JsonSerializer.Deserialize(body, SlackJsonContext.Default.SlackResponseEnvelope);
        }
        catch (JsonException)
        {
            // Not JSON: an HTML error page from a proxy or an outage. Handled below by status.
        }

        if (status != HttpStatusCode.OK || envelope is null)
        {
            var code = (int)status;
            var error = status == HttpStatusCode.OK ? "invalid_response" : $"http_{code}";
            var errorClass = code >= 500 || status == HttpStatusCode.OK ? SlackErrorClass.Retryable
                : code is 401 or 403 or 404 or 410 ? SlackErrorClass.Configuration
                : SlackErrorClass.BadPayload;
            var hint = errorClass == SlackErrorClass.Configuration ? " Check Slack:ApiBaseUrl (it should end in /api/) and the token." : "";
            _logger.LogWarning("Slack {Method} answered HTTP {Status}: {Body}", method, code, Shorten(Encoding.UTF8.GetString(body)));
            return new SlackApiException(method, error, errorClass, $"Slack {method} answered HTTP {code}.{hint}");
        }

        var details = new List<string>();
        details.AddRange(envelope.ResponseMetadata?.Messages ?? []);
        details.AddRange(envelope.Errors ?? []);
        if (envelope.Needed is not null)
        {
            details.Add($"needed: {envelope.Needed}; provided: {envelope.Provided}");
        }

        if (envelope.Ok)
        {
            if (envelope.Warning is not null || envelope.ResponseMetadata?.Warnings is { Count: > 0 })
            {
                _logger.LogWarning("Slack {Method} succeeded with warnings: {Warning} {Warnings}", method,
                    envelope.Warning, string.Join(", ", envelope.ResponseMetadata?.Warnings ?? []));
            }

            return null;
        }

        var slackError = string.IsNullOrEmpty(envelope.Error) ? "unknown_error" : envelope.Error;
        var classified = SlackErrors.Classify(slackError);
        var message = SlackErrors.Describe(method, slackError);
        if (details.Count > 0)
        {
            message += " Details: " + string.Join(" | ", details);
        }

        var log = classified == SlackErrorClass.Retryable ? LogLevel.Warning : LogLevel.Error;
        _logger.Log(log, "{Message}", message);
        return new SlackApiException(method, slackError, classified, message, details: details);
    }

    private static T Deserialize<T>(byte[] body, string method, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(body, type)
        ?? throw new SlackApiException(method, "invalid_response", SlackErrorClass.Retryable, $"Slack {method} returned an empty body.");

    private TimeSpan ReadRetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta
            ?? (header?.Date is { } date ? date - _time.GetUtcNow() : (TimeSpan?)null)
            ?? _options.DefaultRetryAfter;
        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>Spread added to a wait Slack told us (Retry-After), so the callers it paused do not all return in the same instant.</summary>
    private TimeSpan Jitter() => _options.RetryJitter * Random.Shared.NextDouble();

    private Task DelayAsync(TimeSpan wait, CancellationToken ct) => Task.Delay(wait, _time, ct);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
