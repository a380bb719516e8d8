using DetaineeAlertBot.Core.Cluster;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DetaineeAlertBot.Storage.Cluster;

/// <summary>PostgresLeaderElection holds the lead with a session-level advisory lock (pg_try_advisory_lock) on a
/// dedicated connection, so it needs nothing but the database the instances already share. A follower tries the lock
/// every check interval; the leader confirms its connection (and so the lock) on the same timer and gives up the lead
/// the moment the confirmation fails or times out. When a leader dies, PostgreSQL ends its session and frees the lock;
/// a leader that vanishes from the network is dropped by the server's TCP keepalives (set on the session, ~11 s).</summary>
public sealed class PostgresLeaderElection : ILeadership, IAsyncDisposable
{
    /// <summary>"DABotLdr" as ASCII. Advisory locks are per database, so deployments on other databases never meet.</summary>
    private const long LeaderLockKey = 0x4441_426F_744C_6472;

    private readonly NpgsqlConnectionStringBuilder _connectionString;
    private readonly TimeSpan _checkInterval;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private NpgsqlConnection? _connection;
    private CancellationTokenSource? _lead;
    private TaskCompletionSource<CancellationToken> _gained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset? _leaderSince;
    private string _detail = "starting: not yet checked";

    public PostgresLeaderElection(string connectionString, TimeSpan checkInterval, ILogger logger, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(checkInterval, TimeSpan.FromMilliseconds(100));
        _checkInterval = checkInterval;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        // Its own unpooled connection: the lock lives and dies with this one session, never shared with queries.
        _connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = $"detaineebot-leadership {InstanceId}",
            Timeout = Math.Max(2, (int)Math.Ceiling(checkInterval.TotalSeconds * 2)),
            CommandTimeout = Math.Max(1, (int)Math.Ceiling(checkInterval.TotalSeconds * 2)),
            KeepAlive = 5,
        };
    }

    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..6]}";

    public bool IsLeader
    {
        get
        {
            lock (_gate) return _lead is not null;
        }
    }

    public string Detail
    {
        get
        {
            lock (_gate) return _detail;
        }
    }

    public event Action<bool>? Changed;

    /// <summary>Raised on the leader when any instance committed new outbox rows (NOTIFY detaineebot_outbox), so its
    /// dispatcher can start at once instead of at its next poll.</summary>
    public event Action? OutboxQueued;

    public async Task<CancellationToken> WaitForLeadAsync(CancellationToken cancellationToken)
    {
        Task<CancellationToken> gained;
        lock (_gate)
        {
            if (_lead is not null) return _lead.Token;
            gained = _gained.Task;
        }
        return await gained.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the election until <paramref name="stoppingToken"/>; on the way out a leader releases the lock so
    /// another instance takes over at its next check instead of waiting for the session to time out.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await CheckOnceAsync(stoppingToken).ConfigureAwait(false);
                await WaitForNextCheckAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await StepDownAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One round: a follower tries the lock, a leader confirms it still holds its session. Any failure ends
    /// the lead at once (nothing is sent on a lead that cannot be confirmed) and drops the connection.</summary>
    internal async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_checkInterval * 2 + TimeSpan.FromSeconds(1));
            var connection = _connection ??= await OpenAsync(timeout.Token).ConfigureAwait(false);
            if (!IsLeader)
            {
                await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
                command.Parameters.AddWithValue("key", LeaderLockKey);
                if (await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false) is true)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {Sql.PostgresDialect.OutboxChannel}", connection);
                    await listen.ExecuteNonQueryAsync(timeout.Token).ConfigureAwait(false);
                    Gain();
                }
                else
                {
                    SetDetail($"follower: another instance holds the lead (checked {_time.GetUtcNow():u})");
                }
            }
            else
            {
                // The lock is the session's: as long as this session answers, nobody else can hold it.
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(timeout.Token).ConfigureAwait(false);
                SetDetail($"leader since {_leaderSince:u} (confirmed {_time.GetUtcNow():u})");
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var wasLeader = Lose();
            SetDetail($"cannot check the lead: {ex.Message}");
            if (wasLeader)
            {
                _logger.LogError("Lost the lead: the connection holding it failed ({Error}); stopped sending, will try again", ex.Message);
            }
            else
            {
                _logger.LogWarning("Leader election cannot reach PostgreSQL: {Error}", ex.Message);
            }
            await DropConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The leader waits on its connection, where outbox notifications arrive (each one ends the wait early and
    /// the lead is simply confirmed once more); a follower just sleeps.</summary>
    private async Task WaitForNextCheckAsync(CancellationToken stoppingToken)
    {
        if (IsLeader && _connection is { } connection)
        {
            try
            {
                await connection.WaitAsync(_checkInterval, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The next check finds the broken connection and ends the lead.
                _logger.LogDebug("Waiting on the leadership connection failed: {Error}", ex.Message);
                return;
            }
        }
        await Task.Delay(_checkInterval, _time, stoppingToken).ConfigureAwait(false);
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(_connectionString.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            // Server-side keepalives: a leader whose host vanishes loses its session, and so the lock, in ~11 s.
            await using var command = new NpgsqlCommand("SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            connection.Notification += (_, _) =>
            {
                if (IsLeader) OutboxQueued?.Invoke();
            };
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Gain()
    {
        lock (_gate)
        {
            if (_lead is not null) return;
            _lead = new CancellationTokenSource();
            _leaderSince = _time.GetUtcNow();
            _detail = $"leader since {_leaderSince:u}";
            var gained = _gained;
            _gained = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            gained.TrySetResult(_lead.Token);
        }
        _logger.LogWarning("This instance ({Instance}) is now the leader: it runs the pollers, the dispatcher and the chat connections", InstanceId);
        Changed?.Invoke(true);
    }

    /// <summary>Ends the lead (cancels its token); true when this instance was the leader.</summary>
    private bool Lose()
    {
        CancellationTokenSource? lead;
        lock (_gate)
        {
            lead = _lead;
            _lead = null;
            _leaderSince = null;
        }
        if (lead is null) return false;
        lead.Cancel();
        Changed?.Invoke(false);
        return true;
    }

    private void SetDetail(string detail)
    {
        lock (_gate) _detail = detail;
    }

    private async Task StepDownAsync()
    {
        var wasLeader = Lose();
        if (wasLeader && _connection is { } connection)
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
                command.Parameters.AddWithValue("key", LeaderLockKey);
                command.CommandTimeout = 2;
                await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
                _logger.LogInformation("Released the lead on shutdown");
            }
            catch (Exception ex)
            {
                // Closing the session below frees the lock anyway.
                _logger.LogDebug("Releasing the lead lock failed: {Error}", ex.Message);
            }
        }
        SetDetail("stopped");
        await DropConnectionAsync().ConfigureAwait(false);
    }

    private async Task DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is null) return;
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug("Closing the leadership connection failed: {Error}", ex.Message);
        }
    }

    public async ValueTask DisposeAsync() => await DropConnectionAsync().ConfigureAwait(false);
}
