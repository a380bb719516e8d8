using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Tests.Discord;
using System.Net;
using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;

namespace DetaineeAlertBot.Tests.Slack;

/// <summary>One host for the whole class (tests in a class run one at a time): each test uses its own user IDs
/// and compares call counts before and after.</summary>
public sealed class SlackEndpointTests(SlackEndpointTests.HostFixture fixture) : IClassFixture<SlackEndpointTests.HostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private readonly SlackHost _host = fixture.Host;

    public sealed class HostFixture : IAsyncLifetime
    {
        internal SlackHost Host { get; private set; } = null!;

        public async Task InitializeAsync() => Host = await SlackHost.StartAsync(socketMode: false);

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }

    [Fact]
    public async Task SlackCommands_ValidSignatureHelp_AnswersUsageEphemeral()
    {
        var reply = await AskAsync("/case", "help");

        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
        Assert.Contains("/case lookup", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_Lookup_AnswersWithTheCase()
    {
        await _host.WaitForCasesAsync();

        var reply = await AskAsync("/case", "lookup amir amiri");

        Assert.Contains("Amir Amiry", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
    }

    [Fact]
    public async Task SlackCommands_LookupShared_AnswersInChannel()
    {
        await _host.WaitForCasesAsync();

        var reply = await AskAsync("/case", "lookup amir --share");

        Assert.Equal("in_channel", reply.GetProperty("response_type").GetString());
    }

    [Fact]
    public async Task SlackCommands_UnknownInput_AnswersUsage()
    {
        var reply = await AskAsync("/watchlist", "frobnicate everything");

        Assert.Contains("/watchlist add", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_WatchlistAddByNonAdmin_RefusedAfterUsersInfo()
    {
        _host.Slack.AddUser(new FakeUser("UPLAIN"));
        var before = _host.Slack.Calls("users.info");

        var reply = await AskAsync("/watchlist", "add amir", userId: "UPLAIN");

        Assert.Contains("Only admins", reply.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(before + 1, _host.Slack.Calls("users.info"));
    }

    [Theory]
    [MemberData(nameof(DiscordAndSlackCommandTableTests.AdminOnlySubcommands), MemberType = typeof(DiscordAndSlackCommandTableTests))]
    public async Task SlackCommands_AdminOnlySubcommandByMember_RefusedAsTheTableSays(string command, string subcommand)
    {
        var spec = CommandTable.Find(command, subcommand)!;
        _host.Slack.AddUser(new FakeUser("UMEMBER"));
        var text = spec.Option is null ? subcommand : $"{subcommand} {(spec.Option.SuggestsCases ? "af-2024-0012" : "all")}";

        var reply = await AskAsync("/" + command, text, userId: "UMEMBER");

        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
        Assert.Equal(":no_entry: " + spec.AdminRefusal!(Platforms.Slack), reply.GetProperty("blocks")[0].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task SlackCommands_WatchlistAddByUsersInfoAdmin_IsNotRefused()
    {
        await _host.WaitForCasesAsync();
        _host.Slack.AddUser(new FakeUser("UBOSS", IsAdmin: true));

        var text = (await AskAsync("/watchlist", "add af-2024-0012", userId: "UBOSS")).GetProperty("text").GetString();
        Assert.DoesNotContain("Only admins", text, StringComparison.Ordinal);
        Assert.Contains("Amir Amiry", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_WatchlistAddByConfiguredAdmin_IsAdminWithoutWorkspaceRightsAndAskedAboutOnce()
    {
        await _host.WaitForCasesAsync();
        var before = _host.Slack.Calls("users.info");

        // A plain member of our workspace (not is_admin) listed in Slack:AdminUserIds. users.info is still asked, once
        // (then cached): a configured id must also be a non-guest member of our own team.
        var first = (await AskAsync("/watchlist", "add af-2024-0012", userId: SlackHost.AdminUserId)).GetProperty("text").GetString();
        var second = (await AskAsync("/watchlist", "remove af-2024-0012", userId: SlackHost.AdminUserId)).GetProperty("text").GetString();
        Assert.DoesNotContain("Only admins", first, StringComparison.Ordinal);
        Assert.DoesNotContain("Only admins", second, StringComparison.Ordinal);
        Assert.Equal(before + 1, _host.Slack.Calls("users.info"));
    }

    [Fact]
    public async Task SlackCommands_UsersInfoFails_FailsClosed()
    {
        _host.Slack.Enqueue("users.info", FakeResponse.Error("missing_scope"));

        // Whether the caller is a member of our team cannot be told: nothing is looked up or changed.
        var text = (await AskAsync("/watchlist", "remove amir", userId: "UMAYBE")).GetProperty("text").GetString();
        Assert.Contains(AccessRefusals.NotVerified, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_SlowAnswer_AckedAtOnceThenPostedToResponseUrl()
    {
        // users.info takes longer than Slack's 3 s: the command must not wait for it.
        _host.Slack.Enqueue("users.info", FakeResponse.Error("user_not_found") with { Delay = TimeSpan.FromSeconds(4) });
        var responseUrl = _host.Slack.NewResponseUrl();

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/watchlist", "add amir", userId: "USLOW", responseUrl: responseUrl));
        var immediate = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var later = await _host.Slack.WaitForResponseUrlPostAsync(responseUrl, Wait);

        Assert.Contains("Working on it", immediate.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(AccessRefusals.NotVerified, later.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.True(later.GetProperty("replace_original").GetBoolean());
        Assert.Equal("ephemeral", later.GetProperty("response_type").GetString());
    }

    public static TheoryData<string, long?, string, string?> BadRequests => new()
    {
        // Tampered body.
        { "tampered", null, SlackHost.SigningSecret, "&text=lookup%20x" },
        // Signed ten minutes ago: outside the 5-minute window.
        { "stale", DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds(), SlackHost.SigningSecret, null },
        // Signed with another secret.
        { "wrong secret", null, "another-fake-secret", null },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task SlackCommands_BadSignature_Returns401(string why, long? timestamp, string secret, string? tamper)
    {
        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/case", "help", timestamp: timestamp, secret: secret, tamper: tamper));

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, why);
    }

    [Fact]
    public async Task SlackCommands_NoSignatureHeaders_Returns401()
    {
        using var content = new StringContent("command=%2Fcase&text=help", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");

        using var response = await _host.Http.PostAsync("/slack/commands", content);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Healthz_SlackConfigured_ReportsAuthTest()
    {
        var slack = await WaitForComponentAsync("slack");

        Assert.True(slack.GetProperty("healthy").GetBoolean());
        Assert.Contains("T111", slack.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // The reply a user finally sees: the HTTP answer, or, when the bot deferred ("Working on it…"), its
    // response_url post. Either is correct; which one depends on how busy the machine is.
    private async Task<JsonElement> AskAsync(string command, string text, string userId = "U111")
    {
        var responseUrl = _host.Slack.NewResponseUrl();
        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand(command, text, userId, responseUrl: responseUrl));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return reply.GetProperty("text").GetString()!.StartsWith("Working on it", StringComparison.Ordinal)
            ? await _host.Slack.WaitForResponseUrlPostAsync(responseUrl, Wait)
            : reply;
    }

    private async Task<JsonElement> WaitForComponentAsync(string name)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await _host.Http.GetAsync("/healthz/detail");
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            found = json.GetProperty("components").EnumerateArray().FirstOrDefault(c => c.GetProperty("name").GetString() == name).Clone();
            return found.ValueKind == JsonValueKind.Object;
        }, Wait, because: $"component {name} in /healthz/detail");
        return found;
    }
}
