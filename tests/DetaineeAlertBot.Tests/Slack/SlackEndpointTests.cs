using System.Net;
using System.Text.Json;
using DetaineeAlertBot.Slack.Fake;

namespace DetaineeAlertBot.Tests.Slack;

public sealed class SlackEndpointTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private SlackHost _host = null!;

    public async Task InitializeAsync() => _host = await SlackHost.StartAsync(socketMode: false);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SlackCommands_ValidSignatureHelp_AnswersUsageEphemeral()
    {
        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/case", "help"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ephemeral", json.RootElement.GetProperty("response_type").GetString());
        Assert.Contains("/case lookup", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_Lookup_AnswersWithTheCase()
    {
        await WaitForCasesAsync();

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/case", "lookup amir amiri"));

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("Amir Amiry", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("ephemeral", json.RootElement.GetProperty("response_type").GetString());
    }

    [Fact]
    public async Task SlackCommands_LookupShared_AnswersInChannel()
    {
        await WaitForCasesAsync();

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/case", "lookup amir --share"));

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("in_channel", json.RootElement.GetProperty("response_type").GetString());
    }

    [Fact]
    public async Task SlackCommands_UnknownInput_AnswersUsage()
    {
        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/watchlist", "frobnicate everything"));

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("/watchlist add", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_WatchlistAddByNonAdmin_RefusedAfterUsersInfo()
    {
        _host.Slack.AddUser(new FakeUser("UPLAIN"));

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/watchlist", "add amir", userId: "UPLAIN"));

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains("Only admins", json.RootElement.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _host.Slack.Calls("users.info"));
    }

    [Fact]
    public async Task SlackCommands_WatchlistAddByUsersInfoAdmin_IsNotRefused()
    {
        await WaitForCasesAsync();
        _host.Slack.AddUser(new FakeUser("UBOSS", IsAdmin: true));

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/watchlist", "add af-2024-0012", userId: "UBOSS"));

        var text = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("text").GetString();
        Assert.DoesNotContain("Only admins", text, StringComparison.Ordinal);
        Assert.Contains("Amir Amiry", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlackCommands_WatchlistAddByConfiguredAdmin_SkipsUsersInfo()
    {
        await WaitForCasesAsync();

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/watchlist", "add af-2024-0012", userId: SlackHost.AdminUserId));

        var text = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("text").GetString();
        Assert.DoesNotContain("Only admins", text, StringComparison.Ordinal);
        Assert.Equal(0, _host.Slack.Calls("users.info"));
    }

    [Fact]
    public async Task SlackCommands_UsersInfoFails_FailsClosed()
    {
        _host.Slack.Enqueue("users.info", FakeResponse.Error("missing_scope"));

        using var response = await _host.Http.SendAsync(SlackHost.SignedCommand("/watchlist", "remove amir", userId: "UMAYBE"));

        var text = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("text").GetString();
        Assert.Contains("Only admins", text, StringComparison.Ordinal);
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

    private async Task WaitForCasesAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            using var response = await _host.Http.GetAsync("/healthz", timeout.Token);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            if (json.RootElement.GetProperty("cases").GetInt32() > 0)
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task<JsonElement> WaitForComponentAsync(string name)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (true)
        {
            using var response = await _host.Http.GetAsync("/healthz", timeout.Token);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token)).RootElement;
            foreach (var component in json.GetProperty("components").EnumerateArray())
            {
                if (component.GetProperty("name").GetString() == name)
                {
                    return component.Clone();
                }
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
