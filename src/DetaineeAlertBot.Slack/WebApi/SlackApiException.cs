namespace DetaineeAlertBot.Slack.WebApi;

/// <summary>How a caller should react to a failed Slack call.</summary>
public enum SlackErrorClass
{
    /// <summary>Setup is wrong (token, scope, channel membership): retrying cannot help; tell the operator.</summary>
    Configuration,

    /// <summary>Rate limit, server trouble or transport failure: try again later, after <see cref="SlackApiException.RetryAfter"/> if set.</summary>
    Retryable,

    /// <summary>Slack refused this payload (invalid_blocks, msg_too_long, ...): a bug on our side; do not resend it.</summary>
    BadPayload,
}

/// <summary>A Slack Web API failure: an <c>ok:false</c> response, a 429, a non-200 status or a transport error.</summary>
public sealed class SlackApiException : Exception
{
    public SlackApiException(string method, string error, SlackErrorClass errorClass, string message,
        TimeSpan? retryAfter = null, IReadOnlyList<string>? details = null, Exception? inner = null)
        : base(message, inner)
    {
        Method = method;
        Error = error;
        ErrorClass = errorClass;
        RetryAfter = retryAfter;
        Details = details ?? [];
    }

    /// <summary>The Web API method, e.g. <c>chat.postMessage</c>.</summary>
    public string Method { get; }

    /// <summary>Slack's <c>error</c> code, or <c>http_NNN</c> / <c>transport_error</c> / <c>timeout</c>.</summary>
    public string Error { get; }

    public SlackErrorClass ErrorClass { get; }

    /// <summary>When Slack said how long to wait (429 Retry-After).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>chat.update could not edit the message (message_not_found, cant_update_message, edit_window_closed): it is
    /// gone, not ours, or frozen. Post a new message instead.</summary>
    public bool CannotEditMessage => SlackErrors.CannotEditMessage(Error);

    /// <summary>chat.postMessage could not reply in the thread (invalid_thread_ts, thread_not_found): the parent is gone
    /// or is itself a reply. Post to the channel instead.</summary>
    public bool ThreadNotFound => SlackErrors.ThreadNotFound(Error);

    /// <summary>Slack's <c>response_metadata.messages</c> / <c>errors</c> and scope hints, verbatim.</summary>
    public IReadOnlyList<string> Details { get; }
}
