namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>The one place that decides what a Slack error code means for us.</summary>
internal static class SlackErrors
{
    // Errors that no retry can fix: tokens, scopes, channel access. Each with the fix an operator needs.
    private static readonly Dictionary<string, string> ConfigurationHints = new(StringComparer.Ordinal)
    {
        ["invalid_auth"] = "the bot token is not valid: copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions into Slack:BotToken",
        ["not_authed"] = "no token was sent: set Slack:BotToken",
        ["account_inactive"] = "the token belongs to a deactivated user or an uninstalled app: reinstall the app and update Slack:BotToken",
        ["token_revoked"] = "the token was revoked: reinstall the app and update Slack:BotToken",
        ["token_expired"] = "the token expired (token rotation is on): turn rotation off or refresh the token",
        ["not_allowed_token_type"] = "wrong kind of token: Slack:BotToken must be an xoxb- bot token, Slack:AppToken an xapp- app-level token",
        ["missing_scope"] = "the app lacks a scope: add chat:write, commands and users:read under OAuth & Permissions and reinstall",
        ["channel_not_found"] = "the channel ID is wrong or the bot cannot see it: use the channel ID (C...), not its name, and invite the bot",
        ["not_in_channel"] = "the bot is not a member of the channel: /invite the bot there (or add the chat:write.public scope for public channels)",
        ["is_archived"] = "the channel is archived: unarchive it or point the watchlist at another channel",
        ["restricted_action"] = "a workspace setting forbids the bot to post there: ask a workspace admin",
        ["team_access_not_granted"] = "the token has no access to this workspace: install the app in it",
        ["access_denied"] = "Slack denied access: check the app's installation and scopes",
        ["no_permission"] = "the token lacks permission for this call: check the app's scopes",
        ["ekm_access_denied"] = "administrators suspended the app's access: ask a workspace admin",
        ["invalid_token"] = "the token is malformed: check Slack:BotToken / Slack:AppToken",
    };

    // Errors worth another try later. ratelimited (429) and rate_limited (chat.postMessage table) both mean slow down.
    private static readonly HashSet<string> Retryable = new(StringComparer.Ordinal)
    {
        "ratelimited", "rate_limited", "message_limit_exceeded", "internal_error", "fatal_error",
        "service_unavailable", "request_timeout", "team_added_to_org", "timeout", "transport_error",
    };

    // chat.update on a message that is deleted, not the bot's, or past the team's edit window: nothing to retry, the
    // caller posts a new message. Classified BadPayload (this request cannot succeed), flagged for the fallback.
    private static readonly Dictionary<string, string> MessageHints = new(StringComparer.Ordinal)
    {
        ["message_not_found"] = "the message is gone (deleted, or a wrong channel/ts pair): post a new one",
        ["cant_update_message"] = "the message was not posted by this bot: post a new one",
        ["edit_window_closed"] = "the workspace's message edit window is closed for it: post a new one",
        ["invalid_thread_ts"] = "the thread's parent message is gone or is itself a reply: post to the channel instead",
        ["thread_not_found"] = "the thread's parent message is gone: post to the channel instead",
        ["expired_trigger_id"] = "the trigger_id is older than 3 s: open the modal first, do the slow work after",
        ["invalid_trigger_id"] = "Slack does not know the trigger_id: pass the one of the interaction or command being answered",
    };

    public static bool CannotEditMessage(string error) => error is "message_not_found" or "cant_update_message" or "edit_window_closed";

    public static bool ThreadNotFound(string error) => error is "invalid_thread_ts" or "thread_not_found";

    public static SlackErrorClass Classify(string error) =>
        ConfigurationHints.ContainsKey(error) ? SlackErrorClass.Configuration
        : Retryable.Contains(error) || error.StartsWith("http_5", StringComparison.Ordinal) ? SlackErrorClass.Retryable
        : SlackErrorClass.BadPayload;

    /// <summary>A sentence for logs and /healthz: what happened and what to do.</summary>
    public static string Describe(string method, string error)
    {
        // apps.connections.open is the one call made with the app-level token.
        if (method == "apps.connections.open" && error is "invalid_auth" or "not_authed" or "token_revoked" or "account_inactive" or "not_allowed_token_type" or "missing_scope")
        {
            return $"Slack {method} failed with {error}: the app-level token is not usable: generate one with the connections:write scope "
                + "under Basic Information > App-Level Tokens and put it (xapp-...) in Slack:AppToken, or leave Slack:AppToken empty to turn Socket Mode off.";
        }

        var hint = ConfigurationHints.TryGetValue(error, out var h) ? h
            : MessageHints.TryGetValue(error, out var m) ? m
            : Classify(error) == SlackErrorClass.Retryable ? "temporary; will retry"
            : "Slack rejected the request; see the details logged with it";
        return $"Slack {method} failed with {error}: {hint}.";
    }
}
