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
        var json = default(JsonElement);
        var socket = default(JsonElement);
        await Eventually.TrueAsync(async () =>
        {
            // 503 while anything is unhealthy: read the body either way.
            (json, socket) = await SocketComponentAsync(host);
            return socket.ValueKind == JsonValueKind.Object && socket.GetProperty("detail").GetString()!.StartsWith("stopped", StringComparison.Ordinal);
        }, Wait, because: "slack-socket-mode stopped in /healthz/detail");

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
        var socket = default(JsonElement);
        await Eventually.TrueAsync(async () =>
        {
            (_, socket) = await SocketComponentAsync(host);
            return socket.ValueKind == JsonValueKind.Object && socket.GetProperty("detail").GetString()!.StartsWith("connected (", StringComparison.Ordinal);
        }, Wait, because: "slack-socket-mode connected in /healthz/detail");

        Assert.True(socket.GetProperty("healthy").GetBoolean());
    }

    private static async Task<(JsonElement Health, JsonElement Socket)> SocketComponentAsync(SlackHost host)
    {
        using var response = await host.Http.GetAsync("/healthz/detail");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        var socket = json.GetProperty("components").EnumerateArray()
            .FirstOrDefault(c => c.GetProperty("name").GetString() == "slack-socket-mode");
        return (json, socket);
    }
}
