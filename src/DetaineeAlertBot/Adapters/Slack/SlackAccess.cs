using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>What a Slack caller may do: nothing (with the refusal to show), read, or also change watchlists.</summary>
public sealed record SlackCaller(bool Allowed, bool IsAdmin, string? Refusal)
{
    public static SlackCaller Refused(string refusal) => new(false, false, refusal);
}

/// <summary>
/// SlackAccess is the Slack trust boundary, the same for HTTP and Socket Mode. A request is served only when its
/// team_id is the bot's own workspace and its api_app_id (where the payload carries one) is the bot's app. The caller
/// is then looked up with users.info: members of other workspaces (Slack Connect) and guests (is_restricted,
/// is_ultra_restricted) get nothing unless Slack:AllowGuests is true; admin rights (Slack:AdminUserIds, or a workspace
/// admin or owner) only ever go to members of our own workspace. Answers are cached briefly and boundedly; when Slack
/// cannot be asked, the answer is no.
/// </summary>
public sealed class SlackAccess(SlackApiClient api, SlackOptions options, SlackWorkspace workspace, TimeProvider time, ILogger<SlackAccess> logger)
{
    /// <summary>Short: a demoted admin or a removed guest loses access within this long.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(60);

    public const int MaxCachedUsers = 10_000;

    private readonly HashSet<string> _allowList = new(options.AdminUserIds, StringComparer.Ordinal);
    private readonly Dictionary<(string Team, string User), (SlackUser User, DateTimeOffset Until)> _cache = [];
    private readonly Lock _gate = new();

    /// <summary>The part that needs no call to Slack: a request addressed to another workspace or app gets the refusal;
    /// null when it is addressed to ours, or when our identity is not known yet (then <see cref="CheckAsync"/> decides).</summary>
    public string? CheckAddressee(string? teamId, string? apiAppId) =>
        workspace.Identity is { } us ? Addressee(us, teamId, apiAppId) : null;

    private static string? Addressee(SlackIdentity us, string? teamId, string? apiAppId) =>
        teamId != us.TeamId || (apiAppId is not null && apiAppId != us.AppId) ? AccessRefusals.ForeignWorkspace : null;

    public async Task<SlackCaller> CheckAsync(string? teamId, string? apiAppId, string userId, CancellationToken ct)
    {
        if (await workspace.GetAsync(ct).ConfigureAwait(false) is not { } us)
        {
            logger.LogWarning("Refused a Slack request from user {UserId}: the bot's own workspace is not known yet (auth.test failed)", userId);
            return SlackCaller.Refused(AccessRefusals.NotVerified);
        }

        if (Addressee(us, teamId, apiAppId) is { } refusal)
        {
            logger.LogWarning("Refused a Slack request from team {TeamId} (app {AppId}, user {UserId}): not this bot's workspace or app", teamId, apiAppId, userId);
            return SlackCaller.Refused(refusal);
        }

        SlackUser user;
        try
        {
            user = await GetUserAsync(us.TeamId, userId, ct).ConfigureAwait(false);
        }
        catch (SlackApiException e)
        {
            logger.LogWarning("Could not check Slack user {UserId} ({Error}); refusing the request", userId, e.Error);
            return SlackCaller.Refused(AccessRefusals.NotVerified);
        }

        var member = !user.Deleted && !user.IsBot && user.TeamId == us.TeamId && !user.IsRestricted && !user.IsUltraRestricted;
        if (!member && !(options.AllowGuests && !user.Deleted && !user.IsBot))
        {
            logger.LogInformation("Refused Slack user {UserId} (team {UserTeam}, guest {Guest}): only members of workspace {TeamId} may use the bot",
                userId, user.TeamId, user.IsRestricted || user.IsUltraRestricted, us.TeamId);
            return SlackCaller.Refused(AccessRefusals.Guest);
        }

        var isAdmin = member && (_allowList.Contains(userId) || user.IsWorkspaceAdmin);
        return new SlackCaller(true, isAdmin, null);
    }

    private async Task<SlackUser> GetUserAsync(string teamId, string userId, CancellationToken ct)
    {
        // Keyed on the ids from the signed or socket-delivered payload, never on a user name.
        var key = (teamId, userId);
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_cache.TryGetValue(key, out var cached) && cached.Until > now) return cached.User;
        }

        var user = await api.GetUserAsync(userId, ct).ConfigureAwait(false);
        lock (_gate)
        {
            _cache[key] = (user, now + CacheFor);
            if (_cache.Count > MaxCachedUsers) Trim(now);
        }

        return user;
    }

    private void Trim(DateTimeOffset now)
    {
        foreach (var stale in _cache.Where(p => p.Value.Until <= now).Select(p => p.Key).ToList()) _cache.Remove(stale);
        if (_cache.Count > MaxCachedUsers)
        {
            foreach (var oldest in _cache.OrderBy(p => p.Value.Until).Take(_cache.Count - MaxCachedUsers).Select(p => p.Key).ToList()) _cache.Remove(oldest);
        }
    }
}
