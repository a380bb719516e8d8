using System.Net;
using System.Text;
using System.Text.Json;

namespace DetaineeAlertBot.Discord.Rest;

/// <summary>
/// A non-2xx answer from Discord: HTTP status, Discord's JSON error <see cref="Code"/> and message, and the
/// nested <c>errors</c> flattened to lines like <c>embeds[0].fields[0].value[BASE_TYPE_REQUIRED]: This field is required</c>.
/// </summary>
public class DiscordApiException : Exception
{
    /// <summary>10003: the channel does not exist (or the bot cannot see that it exists).</summary>
    public const int UnknownChannel = 10003;
    public const int UnknownGuild = 10004;
    /// <summary>10008: the message does not exist (deleted, or never in that channel); HTTP 404.</summary>
    public const int UnknownMessage = 10008;
    public const int UnknownInteraction = 10062;
    /// <summary>30046: "Maximum number of edits to messages older than 1 hour reached. Try again later". Discord sends it as
    /// HTTP 429, but it is not a rate limit of the route: <see cref="DiscordRestClient"/> does not wait or retry and throws
    /// it as a plain <see cref="DiscordApiException"/> (never a <see cref="DiscordRateLimitedException"/>) with this
    /// <see cref="Code"/>, Status 429 and <see cref="IsTransient"/> false, so the caller can post a new message instead.</summary>
    public const int EditLimitOnOldMessages = 30046;
    public const int InteractionAlreadyAcknowledged = 40060;
    /// <summary>50005: only the author can edit a message's content, embeds or components; HTTP 403.</summary>
    public const int CannotEditOthersMessage = 50005;
    /// <summary>50083: the operation (e.g. an edit) is on a message in an archived thread.</summary>
    public const int ArchivedThread = 50083;
    /// <summary>50001: the bot cannot see the channel.</summary>
    public const int MissingAccess = 50001;
    public const int MissingPermissions = 50013;
    public const int InvalidFormBody = 50035;

    public DiscordApiException(string route, HttpStatusCode status, int? code, string? discordMessage, IReadOnlyList<string> errors)
        : base(Describe(route, status, code, discordMessage, errors))
    {
        Route = route;
        Status = status;
        Code = code;
        DiscordMessage = discordMessage;
        Errors = errors;
    }

    /// <summary>Method and route template, e.g. <c>POST /channels/{channel_id}/messages</c>.</summary>
    public string Route { get; }
    public HttpStatusCode Status { get; }
    public int? Code { get; }
    public string? DiscordMessage { get; }
    public IReadOnlyList<string> Errors { get; }

    /// <summary>True when sending the same request again can succeed (5xx, 429). Everything else needs a change first.</summary>
    /// <remarks>False for <see cref="EditLimitOnOldMessages"/> (a 429 that waiting seconds does not cure).</remarks>
    public bool IsTransient => (int)Status >= 500 || (Status == HttpStatusCode.TooManyRequests && Code != EditLimitOnOldMessages);

    /// <summary>Flattens Discord's nested <c>errors</c> object into one line per leaf error.</summary>
    public static IReadOnlyList<string> FlattenErrors(JsonElement? errors)
    {
        var lines = new List<string>();
        if (errors is { ValueKind: JsonValueKind.Object } root)
        {
            Walk(root, "", lines, depth: 0);
        }

        return lines;
    }

    private static void Walk(JsonElement node, string path, List<string> lines, int depth)
    {
        if (depth > 32 || lines.Count >= 50)
        {
            return;
        }

        foreach (var property in node.EnumerateObject())
        {
            if (property.Name == "_errors" && property.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var error in property.Value.EnumerateArray())
                {
                    var code = error.TryGetProperty("code", out var c) ? c.ToString() : "?";
                    var message = error.TryGetProperty("message", out var m) ? m.ToString() : "";
                    lines.Add($"{(path.Length == 0 ? "request" : path)}[{code}]: {message}");
                }
            }
            else if (property.Value.ValueKind == JsonValueKind.Object)
            {
                var child = property.Name.All(char.IsAsciiDigit)
                    ? $"{path}[{property.Name}]"
                    : path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                Walk(property.Value, child, lines, depth + 1);
            }
        }
    }

    private static string Describe(string route, HttpStatusCode status, int? code, string? message, IReadOnlyList<string> errors)
    {
        var text = new StringBuilder($"Discord {route} failed with HTTP {(int)status}");
        if (code is not null)
        {
            text.Append($", code {code}");
        }

        if (!string.IsNullOrWhiteSpace(message))
        {
            text.Append($": {message}");
        }

        if (errors.Count > 0)
        {
            text.Append(" (").AppendJoin("; ", errors).Append(')');
        }

        var hint = Hint(status, code);
        if (hint is not null)
        {
            text.Append(". ").Append(hint);
        }

        return text.ToString();
    }

    private static string? Hint(HttpStatusCode status, int? code) => (status, code) switch
    {
        (HttpStatusCode.Unauthorized, _) => "The bot token was rejected: reset it on the Bot page of the application and update the configuration",
        (_, UnknownChannel) => "The channel does not exist or the bot cannot see it",
        (_, MissingAccess) => "The bot cannot see this channel: give it View Channel there",
        (_, MissingPermissions) => "The bot lacks a permission here (Send Messages, Embed Links)",
        (_, UnknownMessage) => "The message was deleted (or is not in this channel)",
        (_, EditLimitOnOldMessages) => "Discord limits edits of messages older than 1 hour; post a new message or edit later",
        (_, CannotEditOthersMessage) => "Only the author of a message can edit it",
        (_, ArchivedThread) => "The thread is archived: unarchive it (or post in it) before editing its messages",
        (_, UnknownInteraction) => "The interaction expired: the first reply must come within 3 seconds",
        _ => null,
    };
}

/// <summary>Discord asked to wait longer than the client will wait in place; try again after <see cref="RetryAfter"/>.</summary>
public sealed class DiscordRateLimitedException(string route, TimeSpan retryAfter, bool global)
    : DiscordApiException(route, HttpStatusCode.TooManyRequests, null,
        $"rate limited{(global ? " (global)" : "")}, retry after {retryAfter.TotalSeconds:0.###} s", [])
{
    public TimeSpan RetryAfter { get; } = retryAfter;
    public bool Global { get; } = global;
}

/// <summary>The client refused to send: the bot token was rejected (401) or too many invalid requests were made recently.</summary>
public sealed class DiscordClientStoppedException(string message) : InvalidOperationException(message);
