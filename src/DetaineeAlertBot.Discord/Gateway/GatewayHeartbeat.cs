using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>
/// The heartbeat of one connection: the first beat after <c>interval × jitter</c> (so clients do not beat in step), then
/// one per interval carrying the last sequence; a beat due while the previous one has no ACK marks the connection a
/// zombie and cancels it, so the client reconnects and resumes.
/// https://discord.com/developers/docs/events/gateway#sending-heartbeats
/// </summary>
internal sealed class GatewayHeartbeat
{
    private readonly GatewayConnection _connection;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly Func<int?> _sequence;
    private readonly ILogger _logger;
    private volatile bool _acked = true;
    private DateTimeOffset _sentAt;

    private GatewayHeartbeat(GatewayConnection connection, TimeSpan interval, TimeProvider time, Func<int?> sequence, ILogger logger)
    {
        _connection = connection;
        _interval = interval;
        _time = time;
        _sequence = sequence;
        _logger = logger;
    }

    /// <summary>Ends when the connection does.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Starts beating. The first wait is armed before this returns, so a test on fake time can advance right after.</summary>
    public static GatewayHeartbeat Start(GatewayConnection connection, TimeSpan interval, double jitter, TimeProvider time, Func<int?> sequence, ILogger logger)
    {
        var heartbeat = new GatewayHeartbeat(connection, interval, time, sequence, logger);
        heartbeat.Completion = heartbeat.RunAsync(interval * jitter);
        return heartbeat;
    }

    /// <summary>Op 11: the last beat arrived. Returns the round trip.</summary>
    public TimeSpan Acknowledge(DateTimeOffset now)
    {
        _acked = true;
        return now - _sentAt;
    }

    /// <summary>Op 1 from Discord: beat now, outside the schedule.</summary>
    public Task BeatNowAsync() => BeatAsync();

    private async Task RunAsync(TimeSpan firstBeat)
    {
        var ct = _connection.Cancellation.Token;
        try
        {
            await Task.Delay(firstBeat, _time, ct).ConfigureAwait(false);
            while (!ct.IsCancellationRequested)
            {
                if (!_acked)
                {
                    _logger.LogWarning("Discord gateway missed a heartbeat ACK; reconnecting");
                    _connection.Zombie = true;
                    await _connection.Cancellation.CancelAsync().ConfigureAwait(false);
                    return;
                }

                // Armed before the send, so the schedule does not drift by the send time (and fake time sees it at once).
                var next = Task.Delay(_interval, _time, ct);
                _acked = false;
                await BeatAsync().ConfigureAwait(false);
                await next.ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The connection is going away; the read loop reports why.
        }
    }

    private Task BeatAsync()
    {
        _sentAt = _time.GetUtcNow();
        return _connection.SendHeartbeatAsync(_sequence());
    }
}
