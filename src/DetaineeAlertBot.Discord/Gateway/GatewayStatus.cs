using System.Text.Json;

namespace DetaineeAlertBot.Discord.Gateway;

public enum GatewayState
{
    Stopped,
    Connecting,
    Identifying,
    Resuming,
    Ready,
    Reconnecting,
    /// <summary>Stopped for good: see <see cref="GatewayStatus.Error"/>.</summary>
    Fatal,
}

/// <summary>A snapshot of the gateway connection, for <c>/healthz</c>.</summary>
public sealed record GatewayStatus(
    GatewayState State,
    string? SessionId,
    int? Sequence,
    DateTimeOffset? LastHeartbeatAck,
    TimeSpan? Latency,
    int Reconnects,
    int? LastCloseCode,
    string? Error);

/// <summary>One op-0 event (e.g. <c>INTERACTION_CREATE</c>) with its data.</summary>
/// <param name="ReceivedTimestamp">From <see cref="TimeProvider.GetTimestamp"/> when the frame was read: deadlines count from here.</param>
public sealed record GatewayDispatch(string EventName, int? Sequence, JsonElement Data, long ReceivedTimestamp);
