namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>What to do after the gateway connection closed.</summary>
public enum GatewayCloseAction
{
    /// <summary>Reconnect to the resume URL and send Resume.</summary>
    Resume,
    /// <summary>Reconnect and Identify a new session.</summary>
    Reidentify,
    /// <summary>Do not reconnect: the configuration must change first.</summary>
    Fatal,
}

/// <summary>
/// Gateway close codes and what each means for reconnecting.
/// https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
/// </summary>
public static class GatewayCloseCodes
{
    public const int UnknownError = 4000;
    public const int UnknownOpcode = 4001;
    public const int DecodeError = 4002;
    public const int NotAuthenticated = 4003;
    public const int AuthenticationFailed = 4004;
    public const int AlreadyAuthenticated = 4005;
    public const int InvalidSequence = 4007;
    public const int RateLimited = 4008;
    public const int SessionTimedOut = 4009;
    public const int InvalidShard = 4010;
    public const int ShardingRequired = 4011;
    public const int InvalidApiVersion = 4012;
    public const int InvalidIntents = 4013;
    public const int DisallowedIntents = 4014;

    /// <summary>Classifies a close code; <c>null</c> (no close frame, network drop) resumes.</summary>
    public static GatewayCloseAction Classify(int? code) => code switch
    {
        AuthenticationFailed or InvalidShard or ShardingRequired or InvalidApiVersion or InvalidIntents or DisallowedIntents => GatewayCloseAction.Fatal,
        NotAuthenticated or AlreadyAuthenticated or InvalidSequence or SessionTimedOut => GatewayCloseAction.Reidentify,
        // 1000/1001 from the server end the session.
        1000 or 1001 => GatewayCloseAction.Reidentify,
        _ => GatewayCloseAction.Resume,
    };

    /// <summary>What a fatal close means and how to fix it.</summary>
    public static string Describe(int code) => code switch
    {
        AuthenticationFailed => "4004 Authentication failed: the bot token is wrong. Reset it on the application's Bot page and update the configuration",
        InvalidShard => "4010 Invalid shard: the shard settings are wrong",
        ShardingRequired => "4011 Sharding required: the bot is in too many guilds for one connection",
        InvalidApiVersion => "4012 Invalid API version: the gateway URL must use v=10",
        InvalidIntents => "4013 Invalid intents: the intents bitmask is not valid",
        DisallowedIntents => "4014 Disallowed intents: a privileged intent is requested but not enabled for the application",
        _ => $"close code {code}",
    };
}

/// <summary>The gateway refused the connection in a way reconnecting cannot fix (close codes 4004, 4010-4014).</summary>
public sealed class DiscordGatewayFatalException(int closeCode, string message) : Exception(message)
{
    public int CloseCode { get; } = closeCode;
}
