using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Adapters.Slack;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.WebApi;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Tests.Delivery;

/// <summary>What the outbox is told to do with a row after one send (docs/discord.md "When Discord says no", docs/slack.md).</summary>
public enum Verdict
{
    /// <summary>Delivered: mark the row sent.</summary>
    Sent,

    /// <summary>Wait as the platform asked; not a failed attempt.</summary>
    RateLimited,

    /// <summary>A failed attempt that may have posted: retry with backoff, looking before resending.</summary>
    Transient,

    /// <summary>Every post of this token fails: pause the platform and probe it.</summary>
    PlatformDown,

    /// <summary>This channel refuses us: pause the channel and check it again later.</summary>
    ChannelDown,

    /// <summary>This message can never be posted: dead-letter it.</summary>
    Rejected,
}

/// <summary>
/// The one table of which platform answer means which verdict. Every sink runs every row of its platform over real HTTP
/// against its fake (<see cref="SinkVerdictTests"/>); a new sink adds its rows here and a driver there.
/// </summary>
public static class SinkVerdictTable
{
    /// <summary>platform, HTTP status, the platform's error code or name ("" for none), verdict.</summary>
    public static TheoryData<string, int, string, Verdict> Rows => new()
    {
        // Discord: HTTP status plus the JSON error code.
        { "discord", 200, "", Verdict.Sent },
        { "discord", 429, "", Verdict.RateLimited },
        { "discord", 500, "0", Verdict.Transient }, // each after the client's own retries (1 + 3)
        { "discord", 502, "0", Verdict.Transient },
        { "discord", 503, "0", Verdict.Transient },
        { "discord", 401, "0", Verdict.PlatformDown },
        { "discord", 403, "50001", Verdict.ChannelDown }, // Missing Access
        { "discord", 403, "50013", Verdict.ChannelDown }, // Missing Permissions
        { "discord", 404, "10003", Verdict.ChannelDown }, // Unknown Channel
        { "discord", 400, "50035", Verdict.Rejected }, // Invalid Form Body
        { "discord", 400, "50006", Verdict.Rejected }, // other 4xx: Cannot send an empty message
        { "discord", 413, "40005", Verdict.Rejected }, // other 4xx: Request entity too large

        // Slack: almost every failure is HTTP 200 with ok:false and an error name.
        { "slack", 200, "", Verdict.Sent },
        { "slack", 429, "ratelimited", Verdict.RateLimited },
        { "slack", 200, "invalid_auth", Verdict.PlatformDown },
        { "slack", 200, "token_revoked", Verdict.PlatformDown },
        { "slack", 200, "token_expired", Verdict.PlatformDown },
        { "slack", 200, "account_inactive", Verdict.PlatformDown },
        { "slack", 200, "missing_scope", Verdict.PlatformDown },
        { "slack", 200, "not_authed", Verdict.PlatformDown },
        { "slack", 200, "channel_not_found", Verdict.ChannelDown },
        { "slack", 200, "not_in_channel", Verdict.ChannelDown },
        { "slack", 200, "is_archived", Verdict.ChannelDown },
        { "slack", 200, "invalid_blocks", Verdict.Rejected },
        { "slack", 200, "msg_too_long", Verdict.Rejected },
        { "slack", 200, "fatal_error", Verdict.Transient },
        { "slack", 200, "internal_error", Verdict.Transient },
        { "slack", 503, "", Verdict.Transient }, // a 5xx page (an outage, a proxy)
        { "slack", 500, "", Verdict.Transient },
    };
}

/// <summary>Runs <see cref="SinkVerdictTable"/> against each sink and its fake over real loopback HTTP.</summary>
public sealed class SinkVerdictTests : IAsyncLifetime
{
    private const string DiscordChannel = "645027906669510667";
    private const string SlackChannel = "C111";

    private FakeDiscordServer _discord = null!;
    private FakeSlackServer _slack = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync()
    {
        _discord = await FakeDiscordServer.StartAsync();
        _slack = await FakeSlackServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _discord.DisposeAsync();
        await _slack.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(SinkVerdictTable.Rows), MemberType = typeof(SinkVerdictTable))]
    public async Task Sink_PlatformAnswer_GivesTheTablesVerdict(string platform, int status, string error, Verdict expected)
    {
        var result = platform switch
        {
            "discord" => await SendToDiscordAsync(status, error),
            "slack" => await SendToSlackAsync(status, error),
            _ => throw new ArgumentOutOfRangeException(nameof(platform), platform, "no sink driver for this platform"),
        };

        Assert.Equal(Expected(expected), result.Outcome);
        switch (expected)
        {
            case Verdict.Sent:
                Assert.False(string.IsNullOrEmpty(result.ExternalId));
                break;
            case Verdict.RateLimited:
                Assert.True(result.RetryAfter > TimeSpan.Zero, "a rate limit carries the platform's wait");
                break;
            case Verdict.Transient:
                Assert.True(result.MayHaveArrived, "a transient failure may have posted: the resend looks first");
                break;
            default:
                Assert.False(string.IsNullOrEmpty(result.Error));
                if (error.Length > 0 && !char.IsAsciiDigit(error[0])) Assert.Contains(error, result.Error, StringComparison.Ordinal);
                break;
        }
    }

    private static DeliveryOutcome Expected(Verdict verdict) => verdict switch
    {
        Verdict.Sent => DeliveryOutcome.Sent,
        Verdict.RateLimited => DeliveryOutcome.RateLimited,
        Verdict.Transient => DeliveryOutcome.Failed,
        Verdict.PlatformDown => DeliveryOutcome.PlatformDown,
        Verdict.ChannelDown => DeliveryOutcome.ChannelDown,
        Verdict.Rejected => DeliveryOutcome.Rejected,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict)),
    };

    private async Task<DeliveryResult> SendToDiscordAsync(int status, string code)
    {
        var rest = new DiscordRestClient(_http, Options.Create(new DiscordRestOptions
        {
            ApiBaseUrl = _discord.ApiBaseUrl,
            BotToken = FakeDiscordServer.DefaultBotToken,
            ServerErrorBackoff = TimeSpan.FromMilliseconds(1),
        }));
        static bool IsCreateMessage(string method, string path) => method == "POST" && path.EndsWith("/messages", StringComparison.Ordinal);
        if (status == 429)
        {
            // Longer than the client waits in place (Discord:MaxRateLimitWait), so the sink hands the wait to the outbox.
            _discord.Script(new ScriptedResponse(IsCreateMessage, 429, """{"message":"You are being rate limited.","retry_after":90,"global":false}""",
                new Dictionary<string, string> { ["Retry-After"] = "90", ["X-RateLimit-Scope"] = "user" }));
        }
        else if (status != 200)
        {
            // A 5xx is answered to the request and to each of the client's own retries.
            var times = status >= 500 ? 4 : 1;
            for (var i = 0; i < times; i++)
            {
                _discord.Script(new ScriptedResponse(IsCreateMessage, status, $$"""{"message":"scripted {{status}}","code":{{code}}}"""));
            }
        }

        var result = await new DiscordAlertSink(rest, new HealthRegistry(TimeProvider.System), NullLogger<DiscordAlertSink>.Instance)
            .SendAsync(Alert("discord", DiscordChannel), CancellationToken.None);

        Assert.Equal(status >= 500 ? 4 : 1, _discord.Requests.Count(r => IsCreateMessage(r.Method, r.Path)));
        return result;
    }

    private async Task<DeliveryResult> SendToSlackAsync(int status, string error)
    {
        var api = new SlackApiClient(_http, new SlackApiClientOptions { BaseUrl = _slack.ApiBaseUrl, BotToken = FakeSlackServer.DefaultBotToken },
            TimeProvider.System, NullLogger<SlackApiClient>.Instance);
        if (status == 429)
        {
            _slack.Enqueue("chat.postMessage", FakeResponse.RateLimited(90)); // longer than Slack:MaxRetryAfter: not slept through
        }
        else if (status >= 500)
        {
            _slack.Enqueue("chat.postMessage", FakeResponse.Html(status));
        }
        else if (error.Length > 0)
        {
            _slack.Enqueue("chat.postMessage", FakeResponse.Error(error));
        }

        var result = await new SlackAlertSink(api, new HealthRegistry(TimeProvider.System), NullLogger<SlackAlertSink>.Instance)
            .SendAsync(Alert("slack", SlackChannel), CancellationToken.None);

        // chat.postMessage is not idempotent: one attempt, whatever the answer.
        Assert.Equal(1, _slack.Calls("chat.postMessage"));
        return result;
    }

    private static AlertMessage Alert(string platform, string channel) => new(
        "dlv-verdict-1", platform, channel,
        new CaseRecord { Source = "push", Id = "af-1", Name = "Amir Amiry", Status = CaseStatus.Released, Country = "Afghanistan" },
        CaseStatus.Detained, CaseStatus.Released, new DateTimeOffset(2026, 11, 22, 10, 4, 0, TimeSpan.Zero), 1);
}
