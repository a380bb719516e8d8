using System.Collections.Concurrent;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Slack;

/// <summary>
/// Decides who may change watchlists: a user in Slack:AdminUserIds, or a workspace admin or owner according
/// to users.info. Answers are cached a few minutes; when Slack cannot be asked, the answer is no (fail closed).
/// </summary>
public sealed class SlackAdminCheck(SlackApiClient api, SlackOptions options, TimeProvider time, ILogger<SlackAdminCheck> logger)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);

    private readonly HashSet<string> _allowList = new(options.AdminUserIds, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Team, string User), (bool IsAdmin, DateTimeOffset Until)> _cache = new();

    public async Task<bool> IsAdminAsync(string? teamId, string userId, CancellationToken ct)
    {
        if (_allowList.Contains(userId))
        {
            return true;
        }

        // Keyed on the IDs from the signed or socket-delivered payload, never on a user name.
        var key = (teamId ?? "", userId);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.IsAdmin;
        }

        try
        {
            var user = await api.GetUserAsync(userId, ct).ConfigureAwait(false);
            var isAdmin = user.IsWorkspaceAdmin;
            _cache[key] = (isAdmin, now + CacheFor);
            if (_cache.Count > 10_000)
            {
                foreach (var stale in _cache.Where(p => p.Value.Until <= now).Select(p => p.Key).ToList())
                {
                    _cache.TryRemove(stale, out _);
                }
            }

            return isAdmin;
        }
        catch (SlackApiException e)
        {
            logger.LogWarning("Could not check Slack admin rights of {UserId} ({Error}); treating as not an admin", userId, e.Error);
            return false;
        }
    }
}
