using System.Globalization;
using System.Net.Http.Headers;

namespace DetaineeAlertBot.Discord.Rest;

/// <summary>The rate-limit headers of one response, parsed once. See https://discord.com/developers/docs/topics/rate-limits#header-format.</summary>
internal readonly record struct RateLimitHeaders(
    int? Limit,
    int? Remaining,
    TimeSpan? ResetAfter,
    string? Bucket,
    bool Global,
    string? Scope,
    TimeSpan? RetryAfter)
{
    public static RateLimitHeaders Parse(HttpResponseHeaders headers, DateTimeOffset now, double? bodyRetryAfter, bool? bodyGlobal)
    {
        var resetAfter = Seconds(Get(headers, "X-RateLimit-Reset-After"));
        if (resetAfter is null && Number(Get(headers, "X-RateLimit-Reset")) is { } epoch)
        {
            // Prefer Reset-After (no clock skew); Reset is the epoch-seconds fallback.
            var reset = DateTimeOffset.FromUnixTimeMilliseconds((long)(epoch * 1000)) - now;
            resetAfter = reset > TimeSpan.Zero ? reset : TimeSpan.Zero;
        }

        var retryAfter = bodyRetryAfter is { } fromBody ? TimeSpan.FromSeconds(Math.Max(0, fromBody)) : Seconds(Get(headers, "Retry-After"));
        var global = bodyGlobal == true || string.Equals(Get(headers, "X-RateLimit-Global"), "true", StringComparison.OrdinalIgnoreCase);
        return new RateLimitHeaders(
            (int?)Number(Get(headers, "X-RateLimit-Limit")),
            (int?)Number(Get(headers, "X-RateLimit-Remaining")),
            resetAfter,
            Get(headers, "X-RateLimit-Bucket"),
            global,
            Get(headers, "X-RateLimit-Scope"),
            retryAfter);
    }

    private static string? Get(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    private static TimeSpan? Seconds(string? text) => Number(text) is { } seconds ? TimeSpan.FromSeconds(Math.Max(0, seconds)) : null;
}
