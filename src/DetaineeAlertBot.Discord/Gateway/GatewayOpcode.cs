namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>
/// Gateway opcodes (the <c>op</c> of every frame) the bot sends or handles.
/// https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-opcodes
/// </summary>
internal enum GatewayOpcode
{
    /// <summary>Receive: an event (<c>t</c>, <c>s</c>, <c>d</c>).</summary>
    Dispatch = 0,
    /// <summary>Send: keep-alive carrying the last sequence; receive: Discord asks for one now.</summary>
    Heartbeat = 1,
    /// <summary>Send: start a new session.</summary>
    Identify = 2,
    /// <summary>Send: continue a dropped session from the last sequence.</summary>
    Resume = 6,
    /// <summary>Receive: reconnect and resume.</summary>
    Reconnect = 7,
    /// <summary>Receive: the session is invalid; <c>d</c> says whether it may still be resumed.</summary>
    InvalidSession = 9,
    /// <summary>Receive: first frame, with <c>heartbeat_interval</c>.</summary>
    Hello = 10,
    /// <summary>Receive: our heartbeat arrived.</summary>
    HeartbeatAck = 11,
}
