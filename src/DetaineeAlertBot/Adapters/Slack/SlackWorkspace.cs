using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>Who the bot is in Slack: its workspace (auth.test team_id) and its app (bots.info app_id). Requests that
/// carry another team_id or api_app_id were not meant for this bot's team and are refused.</summary>
public sealed record SlackIdentity(string TeamId, string? TeamName, string AppId, string BotUserId);

/// <summary>
/// SlackWorkspace learns the <see cref="SlackIdentity"/> from the bot token, at start (the token check) or, on an
/// instance that has not learnt it yet (a follower in a cluster, a request in the first second), when a request needs
/// it. Until it is known nobody can be told apart from a stranger, so requests are refused as not verified; a failed
/// attempt is not repeated for <see cref="RetryAfter"/>, so a flood of requests cannot turn into a flood of auth.test.
/// </summary>
public sealed class SlackWorkspace(SlackApiClient api, TimeProvider time)
{
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LearnTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _learning = new(1, 1);
    private volatile SlackIdentity? _identity;
    private long _lastFailureTicks; // 0001-01-01: no failure yet

    public SlackIdentity? Identity => _identity;

    /// <summary>Asks Slack (auth.test, then bots.info) and remembers the identity when both say it. Throws
    /// <see cref="SlackApiException"/> when Slack refuses; the identity is null when the token does not say.</summary>
    public async Task<(AuthTestResult Me, SlackIdentity? Identity)> LearnAsync(CancellationToken ct)
    {
        var me = await api.AuthTestAsync(ct).ConfigureAwait(false);
        var bot = me.BotId is { Length: > 0 } botId ? await api.GetBotAsync(botId, ct).ConfigureAwait(false) : null;
        if (me.TeamId is not { Length: > 0 } teamId || bot?.AppId is not { Length: > 0 } appId) return (me, null);
        var identity = new SlackIdentity(teamId, me.Team, appId, me.UserId ?? "");
        _identity = identity;
        return (me, identity);
    }

    /// <summary>The identity, learnt now if need be (one attempt at a time, bounded in time); null when it cannot be.</summary>
    public async Task<SlackIdentity?> GetAsync(CancellationToken ct)
    {
        if (_identity is { } known) return known;
        if (time.GetUtcNow().UtcTicks - Interlocked.Read(ref _lastFailureTicks) < RetryAfter.Ticks) return null;
        if (!await _learning.WaitAsync(LearnTimeout, ct).ConfigureAwait(false)) return _identity;
        try
        {
            if (_identity is { } learnt) return learnt;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(LearnTimeout);
            var (_, identity) = await LearnAsync(timeout.Token).ConfigureAwait(false);
            if (identity is null) Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);
            return identity;
        }
        catch (Exception e) when (e is SlackApiException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _lastFailureTicks, time.GetUtcNow().UtcTicks);
            return null;
        }
        finally
        {
            _learning.Release();
        }
    }
}
