using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>
/// The bot's gateway connections: as many shards as <c>GET /gateway/bot</c> recommends (one connection per shard,
/// each identifying with <c>[shard_id, num_shards]</c>, Identify calls spaced by <c>max_concurrency</c>), with the
/// same surface as one <see cref="DiscordGatewayClient"/>: one dispatch handler, one combined status.
/// https://discord.com/developers/docs/events/gateway#sharding
/// </summary>
public sealed class DiscordShardedGateway(
    DiscordRestClient rest,
    DiscordGatewayOptions options,
    ILoggerFactory? loggers = null,
    TimeProvider? time = null)
{
    private readonly Lock _lock = new();
    private IReadOnlyList<DiscordGatewayClient> _shards = [];

    public Func<GatewayDispatch, CancellationToken, Task>? DispatchHandler { get; set; }

    public event Action<GatewayStatus>? StatusChanged;

    /// <summary>Shards of the current run (1 before the first run).</summary>
    public int ShardCount
    {
        get
        {
            lock (_lock)
            {
                return Math.Max(1, _shards.Count);
            }
        }
    }

    /// <summary>Ready only when every shard is; otherwise the least advanced shard's state, with its error.</summary>
    public GatewayStatus Status
    {
        get
        {
            IReadOnlyList<DiscordGatewayClient> shards;
            lock (_lock)
            {
                shards = _shards;
            }

            if (shards.Count == 0)
            {
                return new GatewayStatus(GatewayState.Stopped, null, null, null, null, 0, null, null);
            }

            var statuses = shards.Select(s => s.Status).ToArray();
            var worst = statuses.FirstOrDefault(s => s.State != GatewayState.Ready) ?? statuses[0];
            return worst with { Reconnects = statuses.Sum(s => s.Reconnects) };
        }
    }

    /// <summary>Asks Discord how many shards to run, then runs them all until <paramref name="ct"/> or a fatal close.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var (count, maxConcurrency) = await PlanAsync(ct).ConfigureAwait(false);
        var limiter = new DiscordIdentifyLimiter(maxConcurrency, options.IdentifyInterval, time);
        var shards = Enumerable.Range(0, count).Select(id =>
        {
            var shardOptions = Copy(options);
            shardOptions.ShardId = id;
            shardOptions.ShardCount = count;
            shardOptions.IdentifyLimiter = count > 1 ? limiter : null;
            var client = new DiscordGatewayClient(rest, Options.Create(shardOptions),
                loggers?.CreateLogger<DiscordGatewayClient>() ?? NullLogger<DiscordGatewayClient>.Instance, time);
            client.DispatchHandler = (dispatch, token) => DispatchHandler?.Invoke(dispatch, token) ?? Task.CompletedTask;
            client.StatusChanged += _ => StatusChanged?.Invoke(Status);
            return client;
        }).ToArray();
        lock (_lock)
        {
            _shards = shards;
        }

        // One fatal shard (bad token, disallowed intents) stops them all: the others would fail the same way.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runs = shards.Select(s => Task.Run(() => s.RunAsync(stop.Token), CancellationToken.None)).ToList();
        while (runs.Count > 0)
        {
            var done = await Task.WhenAny(runs).ConfigureAwait(false);
            runs.Remove(done);
            if (done.IsFaulted)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(runs.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
                await done.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Shards and max_concurrency from GET /gateway/bot. A rejected token is fatal, as on the gateway; any
    /// other failure runs one shard, whose own connect loop retries (and reports) the way it always does.</summary>
    private async Task<(int Shards, int MaxConcurrency)> PlanAsync(CancellationToken ct)
    {
        try
        {
            var bot = await rest.GetGatewayBotAsync(ct).ConfigureAwait(false);
            return (Math.Max(1, bot.Shards), Math.Max(1, bot.SessionStartLimit?.MaxConcurrency ?? 1));
        }
        catch (Exception e) when (e is DiscordApiException { Status: System.Net.HttpStatusCode.Unauthorized }
            || (e is DiscordClientStoppedException && rest.Health.TokenRejected))
        {
            throw new DiscordGatewayFatalException(GatewayCloseCodes.AuthenticationFailed, $"GET /gateway/bot rejected the bot token: {e.Message}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is DiscordApiException or HttpRequestException or TimeoutException or DiscordClientStoppedException)
        {
            return (1, 1);
        }
    }

    private static DiscordGatewayOptions Copy(DiscordGatewayOptions o) => new()
    {
        BotToken = o.BotToken,
        Intents = o.Intents,
        ConnectTimeout = o.ConnectTimeout,
        HelloTimeout = o.HelloTimeout,
        ReadyTimeout = o.ReadyTimeout,
        InitialReconnectDelay = o.InitialReconnectDelay,
        MaxReconnectDelay = o.MaxReconnectDelay,
        MaxConsecutiveFailures = o.MaxConsecutiveFailures,
        MaxResumeAttempts = o.MaxResumeAttempts,
        IdentifyInterval = o.IdentifyInterval,
        DispatchQueueCapacity = o.DispatchQueueCapacity,
        DispatchConcurrency = o.DispatchConcurrency,
        MaxMessageBytes = o.MaxMessageBytes,
    };
}
