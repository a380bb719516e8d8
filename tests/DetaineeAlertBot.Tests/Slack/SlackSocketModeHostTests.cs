using System.Text.Json;

namespace DetaineeAlertBot.Tests.Slack;

public sealed class SlackSocketModeHostTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SocketMode_SlashCommandEnvelope_AckedWithReply()
    {
        await using var host = await SlackHost.StartAsync(socketMode: true, httpCommands: false);
        var socket = await host.Slack.WaitForSocketAsync(0, Wait);

        var responseUrl = host.Slack.NewResponseUrl();
        await socket.SendSlashCommandAsync("env-host-1", "/case", "help", responseUrl: responseUrl);
        var ack = await socket.WaitForAckAsync("env-host-1", Wait);

        var payload = ack.GetProperty("payload");
        if (payload.GetProperty("text").GetString()!.StartsWith("Working on it", StringComparison.Ordinal))
        {
            // A busy machine may defer even help; then the answer arrives on response_url.
            payload = await host.Slack.WaitForResponseUrlPostAsync(responseUrl, Wait);
        }

        Assert.Contains("/case lookup", payload.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal("ephemeral", payload.GetProperty("response_type").GetString());
    }

    [Fact]
    public async Task SocketMode_InvalidAppToken_UnhealthyWithFixInHealthz()
    {
        await using var host = await SlackHost.StartAsync(socketMode: false, httpCommands: false, "--Slack:AppToken=xapp-fake-wrong-token");
        var (json, socket) = await WaitForSocketDetailAsync(host, "stopped");

        Assert.False(socket.GetProperty("healthy").GetBoolean());
        Assert.Contains("Slack:AppToken", socket.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("unhealthy", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task SocketModeOnly_HttpEndpoint_IsNotMapped()
    {
        await using var host = await SlackHost.StartAsync(socketMode: true, httpCommands: false);

        using var response = await host.Http.SendAsync(SlackHost.SignedCommand("/case", "help"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task SocketMode_Connected_ReportedInHealthz()
    {
        await using var host = await SlackHost.StartAsync(socketMode: true, httpCommands: false);
        await host.Slack.WaitForSocketAsync(0, Wait);
        var (_, socket) = await WaitForSocketDetailAsync(host, "connected (");

        Assert.True(socket.GetProperty("healthy").GetBoolean());
    }

    /// <summary>Waits until /healthz/detail (503 while anything is unhealthy: read either way) lists slack-socket-mode
    /// with a detail starting with <paramref name="prefix"/>; returns the body and that component.</summary>
    private static async Task<(JsonElement Health, JsonElement Socket)> WaitForSocketDetailAsync(SlackHost host, string prefix)
    {
        var (json, socket) = (default(JsonElement), default(JsonElement));
        await Eventually.TrueAsync(async () =>
        {
            using var response = await host.Http.GetAsync("/healthz/detail");
            json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            socket = json.GetProperty("components").EnumerateArray().FirstOrDefault(c => c.GetProperty("name").GetString() == "slack-socket-mode");
            return socket.ValueKind == JsonValueKind.Object && socket.GetProperty("detail").GetString()!.StartsWith(prefix, StringComparison.Ordinal);
        }, Wait, because: $"slack-socket-mode \"{prefix}...\" in /healthz/detail");
        return (json, socket);
    }
}
