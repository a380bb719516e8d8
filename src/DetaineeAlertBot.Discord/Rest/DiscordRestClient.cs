using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Discord.Rest;

/// <summary>Health of the REST side, for <c>/healthz</c>.</summary>
/// <param name="TokenRejected">Discord answered 401: the client has stopped sending until restarted with a new token.</param>
public sealed record DiscordRestHealth(
    bool TokenRejected,
    bool InvalidBudgetExhausted,
    int InvalidRequestsLast10Minutes,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastFailure,
    string? LastError)
{
    public bool Healthy => !TokenRejected && !InvalidBudgetExhausted;
}

/// <summary>
/// The Discord REST API over <see cref="HttpClient"/>: bot authorization, the mandatory User-Agent, header-driven
/// rate limiting, bounded jittered retries of 5xx/timeouts only, and typed <see cref="DiscordApiException"/> errors.
/// </summary>
public sealed class DiscordRestClient
{
    private readonly HttpClient _http;
    private readonly DiscordRestOptions _options;
    private readonly ILogger<DiscordRestClient> _logger;
    private readonly TimeProvider _time;
    private readonly DiscordRateLimiter _limiter;
    private readonly Backoff _serverErrorBackoff;
    private readonly Uri _baseUrl;
    private volatile bool _tokenRejected;
    private DateTimeOffset? _lastSuccess;
    private DateTimeOffset? _lastFailure;
    private string? _lastError;

    public DiscordRestClient(HttpClient http, IOptions<DiscordRestOptions> options, ILogger<DiscordRestClient>? logger = null, TimeProvider? time = null)
    {
        _http = http;
        _options = options.Value;
        _logger = logger ?? NullLogger<DiscordRestClient>.Instance;
        _time = time ?? TimeProvider.System;
        _limiter = new DiscordRateLimiter(_options, _time, _logger);
        // Capped at the old largest step: ServerErrorBackoff doubled once per allowed retry after the first.
        _serverErrorBackoff = new Backoff(_options.ServerErrorBackoff,
            _options.ServerErrorBackoff * Math.Pow(2, Math.Max(0, _options.MaxServerErrorRetries - 1)));
        var text = _options.ApiBaseUrl.ToString();
        _baseUrl = new Uri(text.EndsWith('/') ? text : text + "/");
    }

    public DiscordRestHealth Health => new(
        _tokenRejected, _limiter.InvalidBudgetExhausted, _limiter.InvalidRequestCount, _lastSuccess, _lastFailure, _lastError);

    /// <summary>Raised when the bot token is rejected (HTTP 401); the client sends nothing after that.</summary>
    public event Action<DiscordApiException>? TokenRejected;

    /// <summary><c>POST /channels/{channel.id}/messages</c>.</summary>
    /// <exception cref="ArgumentException">The components break a limit (<see cref="ComponentLimits.ValidateMessage"/>).</exception>
    public Task<DiscordMessage> CreateMessageAsync(string channelId, CreateMessageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ComponentLimits.ValidateMessage(request.Components);
        return SendAsync(DiscordRoute.CreateMessage(channelId), Body(request, DiscordJsonContext.Default.CreateMessageRequest),
            DiscordJsonContext.Default.DiscordMessage, ct)!;
    }

    /// <summary>Edit Message, <c>PATCH /channels/{channel.id}/messages/{message.id}</c>: returns the edited message. Rate
    /// limited with Create Message (per channel). Failures worth telling apart: <see cref="DiscordApiException.Code"/>
    /// <see cref="DiscordApiException.UnknownMessage"/> (deleted), <see cref="DiscordApiException.CannotEditOthersMessage"/>,
    /// <see cref="DiscordApiException.ArchivedThread"/>, and <see cref="DiscordApiException.EditLimitOnOldMessages"/>
    /// (an HTTP 429 thrown at once as a plain <see cref="DiscordApiException"/>, not as <see cref="DiscordRateLimitedException"/>).</summary>
    /// <exception cref="ArgumentException">The components break a limit (<see cref="ComponentLimits.ValidateMessage"/>).</exception>
    public Task<DiscordMessage> EditMessageAsync(string channelId, string messageId, EditMessageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ComponentLimits.ValidateMessage(request.Components);
        return SendAsync(DiscordRoute.EditMessage(channelId, messageId), Body(request, DiscordJsonContext.Default.EditMessageRequest),
            DiscordJsonContext.Default.DiscordMessage, ct)!;
    }

    /// <summary>Get Channel Messages (<c>GET /channels/{channel.id}/messages</c>): up to <paramref name="limit"/> (1-100)
    /// messages, newest first, older than <paramref name="before"/> when given. Needs View Channel; without Read Message
    /// History Discord answers with an empty list.</summary>
    public async Task<IReadOnlyList<DiscordMessage>> GetChannelMessagesAsync(string channelId, string? before, int limit, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, 100);
        return await SendAsync(DiscordRoute.GetChannelMessages(channelId, before, limit), null, DiscordJsonContext.Default.ListDiscordMessage, ct)
            .ConfigureAwait(false) ?? [];
    }

    /// <summary><c>GET /users/@me</c>: the bot's own user (its id is the author id of the messages it posts).</summary>
    public Task<DiscordUser> GetCurrentUserAsync(CancellationToken ct) =>
        SendAsync(DiscordRoute.GetCurrentUser(), null, DiscordJsonContext.Default.DiscordUser, ct)!;

    /// <summary><c>GET /gateway/bot</c>: the gateway URL and the session start budget.</summary>
    public Task<GatewayBotResponse> GetGatewayBotAsync(CancellationToken ct) =>
        SendAsync(DiscordRoute.GetGatewayBot(), null, DiscordJsonContext.Default.GatewayBotResponse, ct)!;

    /// <summary><c>GET /applications/@me</c>: the application id and its public (verify) key.</summary>
    public Task<CurrentApplication> GetCurrentApplicationAsync(CancellationToken ct) =>
        SendAsync(DiscordRoute.GetCurrentApplication(), null, DiscordJsonContext.Default.CurrentApplication, ct)!;

    /// <summary><c>GET /users/@me</c>, sent even after a 401 stopped the client: the check whether a (fixed) token works
    /// again. A success lets the client send again.</summary>
    public async Task<DiscordUser> CheckTokenAsync(CancellationToken ct)
    {
        var user = await SendAsync(DiscordRoute.GetCurrentUser(), null, DiscordJsonContext.Default.DiscordUser, ct, tokenCheck: true).ConfigureAwait(false);
        if (_tokenRejected) _logger.LogWarning("Discord accepts the bot token again; sending resumes");
        _tokenRejected = false;
        return user!;
    }

    /// <summary><c>DELETE /users/@me/guilds/{guild.id}</c>: the bot leaves a server (204 No Content).</summary>
    public Task LeaveGuildAsync(string guildId, CancellationToken ct) =>
        SendAsync<DiscordMessage>(DiscordRoute.LeaveGuild(guildId), null, null, ct);

    /// <summary><c>GET /applications/{id}[/guilds/{guild.id}]/commands</c>.</summary>
    public async Task<IReadOnlyList<ApplicationCommand>> GetApplicationCommandsAsync(string applicationId, string? guildId, CancellationToken ct) =>
        await SendAsync(DiscordRoute.Commands(HttpMethod.Get, applicationId, guildId), null, DiscordJsonContext.Default.ListApplicationCommand, ct)
            .ConfigureAwait(false) ?? [];

    /// <summary><c>PUT …/commands</c>: replaces every command in that scope.</summary>
    public async Task<IReadOnlyList<ApplicationCommand>> BulkOverwriteApplicationCommandsAsync(
        string applicationId, string? guildId, IReadOnlyList<ApplicationCommand> commands, CancellationToken ct) =>
        await SendAsync(DiscordRoute.Commands(HttpMethod.Put, applicationId, guildId),
            Body(commands, DiscordJsonContext.Default.IReadOnlyListApplicationCommand), DiscordJsonContext.Default.ListApplicationCommand, ct)
            .ConfigureAwait(false) ?? [];

    /// <summary><c>POST /interactions/{id}/{token}/callback</c>: the initial response (within 3 s of the interaction).</summary>
    /// <exception cref="ArgumentException">The modal or components break a limit (<see cref="ComponentLimits.Validate"/>).</exception>
    public Task CreateInteractionResponseAsync(string interactionId, string token, InteractionResponse response, CancellationToken ct)
    {
        ComponentLimits.Validate(response);
        return SendAsync<DiscordMessage>(DiscordRoute.InteractionCallback(interactionId, token),
            Body(response, DiscordJsonContext.Default.InteractionResponse), null, ct);
    }

    /// <summary><c>PATCH /webhooks/{application.id}/{token}/messages/@original</c>: replaces a deferred response (after type 5),
    /// or edits the component's message (after type 6 DEFERRED_UPDATE_MESSAGE).</summary>
    /// <exception cref="ArgumentException">The components break a limit.</exception>
    public Task EditOriginalInteractionResponseAsync(string applicationId, string token, InteractionCallbackData data, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ComponentLimits.ValidateMessage(data.Components);
        return SendAsync<DiscordMessage>(DiscordRoute.EditOriginal(applicationId, token),
            Body(data, DiscordJsonContext.Default.InteractionCallbackData), null, ct);
    }

    /// <summary>Create Followup Message, <c>POST /webhooks/{application.id}/{interaction.token}</c>: a further message for an
    /// interaction already answered (e.g. an ephemeral reply, <c>flags: 64</c>, after a type 6 deferral). Valid for the
    /// token's 15 minutes; needs no bot token.</summary>
    /// <exception cref="ArgumentException">The components break a limit.</exception>
    public async Task<DiscordMessage?> CreateFollowupMessageAsync(string applicationId, string token, InteractionCallbackData data, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(data);
        ComponentLimits.ValidateMessage(data.Components);
        return await SendAsync(DiscordRoute.CreateFollowup(applicationId, token),
            Body(data, DiscordJsonContext.Default.InteractionCallbackData), DiscordJsonContext.Default.DiscordMessage, ct).ConfigureAwait(false);
    }

    private static byte[] Body<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    private async Task<T?> SendAsync<T>(DiscordRoute route, byte[]? body, JsonTypeInfo<T>? responseType, CancellationToken ct, bool tokenCheck = false)
        where T : class
    {
        var serverErrors = 0;
        var rateLimits = 0;
        while (true)
        {
            if (_tokenRejected && !tokenCheck)
            {
                throw new DiscordClientStoppedException(
                    "Discord rejected the bot token earlier (HTTP 401); no further requests are sent until a token check passes.");
            }

            if (!route.Interaction && _limiter.InvalidBudgetExhausted)
            {
                throw new DiscordClientStoppedException(
                    $"Too many invalid Discord requests (401/403/429) in the last 10 minutes ({_limiter.InvalidRequestCount}); " +
                    "holding off to avoid a temporary IP ban.");
            }

            using var lease = await _limiter.AcquireAsync(route, ct).ConfigureAwait(false);
            using var request = new HttpRequestMessage(route.Method, new Uri(_baseUrl, route.Path));
            request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
            if (!route.Interaction)
            {
                // Interaction callbacks and follow-ups are authorised by the token in the path.
                request.Headers.Authorization = new AuthenticationHeaderValue("Bot", _options.BotToken);
            }

            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            HttpStatusCode status;
            byte[] content;
            HttpResponseHeaders headers;
            using var attemptTimeout = new CancellationTokenSource(_options.RequestTimeout, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, attemptTimeout.Token);
            try
            {
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                status = response.StatusCode;
                headers = response.Headers;
                content = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException)
            {
                lease.Dispose();
                var what = e is OperationCanceledException ? $"timed out after {_options.RequestTimeout}" : $"failed: {e.Message}";
                RecordFailure($"Discord {route} {what}");
                if (serverErrors++ < _options.MaxServerErrorRetries)
                {
                    await BackoffAsync(route, serverErrors, what, ct).ConfigureAwait(false);
                    continue;
                }

                throw e is OperationCanceledException ? new TimeoutException($"Discord {route} {what}", e) : e;
            }

            var error = (int)status is >= 200 and < 300 ? null : ParseError(content);
            var rateLimit = RateLimitHeaders.Parse(headers, _time.GetUtcNow(), error?.RetryAfter, error?.Global);
            var editLimit = status == HttpStatusCode.TooManyRequests && error?.Code == DiscordApiException.EditLimitOnOldMessages;
            lease.Complete(status, rateLimit, notARateLimit: editLimit);

            if ((int)status is >= 200 and < 300)
            {
                _lastSuccess = _time.GetUtcNow();
                return responseType is null || content.Length == 0 ? null : JsonSerializer.Deserialize(content, responseType);
            }

            if (status == HttpStatusCode.TooManyRequests && !editLimit)
            {
                var retryAfter = rateLimit.RetryAfter ?? rateLimit.ResetAfter ?? TimeSpan.FromSeconds(1);
                if (++rateLimits > _options.MaxRateLimitRetries || retryAfter > _options.MaxRateLimitWait)
                {
                    RecordFailure($"Discord {route} rate limited for {retryAfter}");
                    throw new DiscordRateLimitedException(route.RouteKey, retryAfter, rateLimit.Global);
                }

                if (route.Interaction)
                {
                    // No bucket queue for these: just wait as told.
                    await Task.Delay(retryAfter, _time, ct).ConfigureAwait(false);
                }

                // Otherwise the limiter now blocks the bucket (or everything) until the reset; a 429 is not a failed attempt.
                continue;
            }

            var exception = new DiscordApiException(route.RouteKey, status, error?.Code, error?.Message, DiscordApiException.FlattenErrors(error?.Errors));
            RecordFailure(exception.Message);
            if ((int)status >= 500 && serverErrors++ < _options.MaxServerErrorRetries)
            {
                await BackoffAsync(route, serverErrors, $"HTTP {(int)status}", ct).ConfigureAwait(false);
                continue;
            }

            if (status == HttpStatusCode.Unauthorized && !route.Interaction)
            {
                _tokenRejected = true;
                _logger.LogCritical("{Error}", exception.Message);
                TokenRejected?.Invoke(exception);
            }

            throw exception;
        }
    }

    /// <summary>Request retries after a 5xx or a timeout: the shared <see cref="Backoff"/> over the failed attempts so far,
    /// waited on <see cref="_time"/>. (A 429 is not a failure: its wait is Discord's Retry-After, in the limiter.)</summary>
    private async Task BackoffAsync(DiscordRoute route, int attempt, string what, CancellationToken ct)
    {
        var delay = _serverErrorBackoff.Delay(attempt);
        _logger.LogWarning("Discord {Route} {What}; retry {Attempt}/{Max} in {Delay}", route, what, attempt, _options.MaxServerErrorRetries, delay);
        await Task.Delay(delay, _time, ct).ConfigureAwait(false);
    }

    private void RecordFailure(string error)
    {
        _lastFailure = _time.GetUtcNow();
        _lastError = error;
    }

    private static DiscordErrorBody? ParseError(byte[] content)
    {
        if (content.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(content, DiscordJsonContext.Default.DiscordErrorBody);
        }
        catch (JsonException)
        {
            // e.g. a Cloudflare HTML page.
            return null;
        }
    }
}
