using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Fake;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.Signing;
using DetaineeAlertBot.Slack.SocketMode;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Slack.Tests.Cards;

/// <summary>block_actions and view_submission from the fake, over Socket Mode and over signed HTTP.</summary>
public sealed class SlackInteractivityTests : FakeSlackTest
{
    private const string SigningSecret = "fake-signing-secret";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<InteractionPayload> _handled = new();

    [Fact]
    public async Task BlockActions_OverSocket_AckedEmptyBeforeTheHandlerRuns()
    {
        var card = await PostCardAsync();
        var release = new TaskCompletionSource();
        var (_, run) = Start(async (payload, ct) =>
        {
            await release.Task.WaitAsync(ct);
            _handled.Enqueue(payload);
            return InteractionResponse.WithErrors(new Dictionary<string, string> { ["x"] = "ignored for block_actions" });
        });
        var socket = await Slack.WaitForSocketAsync(0, Wait);
        var click = Slack.BlockActions(card, "ack");

        await socket.SendInteractiveAsync("env-click", click);
        var ack = await socket.WaitForAckAsync("env-click", Wait);

        // The ack came while the handler was still blocked, and without a payload.
        Assert.False(ack.TryGetProperty("payload", out _));
        Assert.Empty(_handled);
        release.SetResult();
        await Eventually.TrueAsync(() => !_handled.IsEmpty, Wait);
        var payload = Assert.Single(_handled);
        Assert.Equal(InteractionPayload.BlockActions, payload.Type);
        Assert.Equal("ack", payload.Action!.ActionId);
        Assert.Equal("case-1", payload.Action.Value);
        Assert.Equal("card-v1", payload.Action.BlockId);
        Assert.Equal(card.Ts, payload.Message!.Ts);
        Assert.Equal(card.Ts, payload.Container!.MessageTs);
        Assert.Equal("C111", payload.Channel!.Id);
        Assert.Equal("U111", payload.User!.Id);
        Assert.Equal(FakeSlackServer.TeamId, payload.Team!.Id);
        Assert.Equal(click.TriggerId, payload.TriggerId);
        Assert.Equal(click.ResponseUrl, payload.ResponseUrl);
        await StopAsync(run);
    }

    [Fact]
    public async Task BlockActions_HandlerOpensModalWithTheTrigger()
    {
        var card = await PostCardAsync();
        var api = CreateClient();
        var (_, run) = Start(async (payload, ct) =>
        {
            await api.OpenViewAsync(payload.TriggerId!, SlackCardApiTests.UpdateStatusModal($"{payload.Channel!.Id}|{payload.Message!.Ts}").View, ct);
            return null;
        });
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendInteractiveAsync("env-open", Slack.BlockActions(card, "update_status"));
        var views = await Slack.WaitForOpenedViewsAsync(1, Wait);

        Assert.Equal($"C111|{card.Ts}", views[0].PrivateMetadata);
        await StopAsync(run);
    }

    [Fact]
    public async Task ViewSubmission_OverSocket_AckCarriesValidationErrors()
    {
        var view = await OpenModalAsync();
        var (_, run) = Start((payload, _) =>
        {
            _handled.Enqueue(payload);
            var since = payload.View!.GetValue("since", "since");
            return Task.FromResult<InteractionResponse?>(since is null
                ? null
                : InteractionResponse.WithErrors(new Dictionary<string, string> { ["since"] = "The date is in the future." }));
        });
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendInteractiveAsync("env-submit", Slack.ViewSubmission(view,
            new Dictionary<string, string?> { ["status"] = "released", ["since"] = "2099-01-01", ["note"] = "Seen at the court" }));
        var ack = await socket.WaitForAckAsync("env-submit", Wait);

        var payload = ack.GetProperty("payload");
        Assert.Equal("errors", payload.GetProperty("response_action").GetString());
        Assert.Equal("The date is in the future.", payload.GetProperty("errors").GetProperty("since").GetString());
        Assert.False(payload.TryGetProperty("view", out _));
        var submitted = Assert.Single(_handled).View!;
        Assert.Equal("update_status", submitted.CallbackId);
        Assert.Equal("C111|1.2", submitted.PrivateMetadata);
        Assert.Equal("released", submitted.GetValue("status", "status"));
        Assert.Equal("Seen at the court", submitted.GetValue("note", "note"));
        Assert.Null(submitted.GetValue("source", "source"));
        Assert.Null(submitted.GetValue("nope", "nope"));
        await StopAsync(run);
    }

    [Fact]
    public async Task ViewSubmission_HandlerPastDeadline_AckedEmptyHandlerFinishes()
    {
        var view = await OpenModalAsync();
        var release = new TaskCompletionSource();
        var finished = new TaskCompletionSource();
        var (_, run) = Start(async (_, ct) =>
        {
            await release.Task;
            finished.SetResult();
            return InteractionResponse.ClearAll();
        }, o => o.AckDeadline = TimeSpan.FromMilliseconds(100));
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendInteractiveAsync("env-late", Slack.ViewSubmission(view, new Dictionary<string, string?>()));
        var ack = await socket.WaitForAckAsync("env-late", Wait);

        Assert.False(ack.TryGetProperty("payload", out _));
        // A late handler is not cancelled: what it saves is still wanted.
        release.SetResult();
        await finished.Task.WaitAsync(Wait);
        await StopAsync(run);
    }

    [Fact]
    public async Task Interactive_Redelivered_AckedAgainHandledOnce()
    {
        var card = await PostCardAsync();
        var (_, run) = Start((payload, _) =>
        {
            _handled.Enqueue(payload);
            return Task.FromResult<InteractionResponse?>(null);
        });
        var socket = await Slack.WaitForSocketAsync(0, Wait);
        var click = Slack.BlockActions(card, "mute");

        await socket.SendInteractiveAsync("env-dup", click);
        await socket.WaitForAckAsync("env-dup", Wait);
        await socket.SendInteractiveAsync("env-dup", click);
        await socket.SendInteractiveAsync("env-next", Slack.BlockActions(card, "history"));
        await socket.WaitForAckAsync("env-next", Wait);
        await Eventually.TrueAsync(() => socket.AckCount == 3 && _handled.Count == 2, Wait);

        Assert.Equal(["mute", "history"], _handled.Select(p => p.Action!.ActionId));
        await StopAsync(run);
    }

    [Fact]
    public async Task Interactive_NoHandler_AckedWithoutPayload()
    {
        var card = await PostCardAsync();
        var api = CreateClient(o => o.MaxAttempts = 2);
        var client = new SlackSocketModeClient(api, Options(), (_, _) => Task.FromResult<SlashCommandResponse?>(null),
            TimeProvider.System, NullLogger<SlackSocketModeClient>.Instance);
        var run = Task.Run(() => client.RunAsync(_stop.Token));
        var socket = await Slack.WaitForSocketAsync(0, Wait);

        await socket.SendInteractiveAsync("env-none", Slack.BlockActions(card, "ack"));
        var ack = await socket.WaitForAckAsync("env-none", Wait);

        Assert.False(ack.TryGetProperty("payload", out _));
        await StopAsync(run);
    }

    [Fact]
    public async Task Http_SignedFormBody_VerifiedParsedAndAnswered()
    {
        var view = await OpenModalAsync();
        await using var endpoint = await InteractionEndpoint.StartAsync(payload =>
            payload.Type == InteractionPayload.ViewSubmission && payload.View!.GetValue("status", "status") == "released"
                ? InteractionResponse.WithErrors(new Dictionary<string, string> { ["status"] = "Pick a status." })
                : null);
        var submission = Slack.ViewSubmission(view, new Dictionary<string, string?> { ["status"] = "released", ["note"] = "a & b = c+d ✓" });

        using var request = FakeSlackServer.SignedInteractionRequest(endpoint.Url, submission.PayloadJson, SigningSecret);
        using var response = await Http.SendAsync(request).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("errors", body.GetProperty("response_action").GetString());
        var received = Assert.Single(endpoint.Received);
        Assert.Equal("a & b = c+d ✓", received.View!.GetValue("note", "note"));
        Assert.Equal(view.Id, received.View.Id);
    }

    [Fact]
    public async Task Http_BlockActionsBody_VerifiedAndAckedEmpty()
    {
        var card = await PostCardAsync();
        await using var endpoint = await InteractionEndpoint.StartAsync(_ => null);

        using var request = FakeSlackServer.SignedInteractionRequest(endpoint.Url, Slack.BlockActions(card, "source").PayloadJson, SigningSecret);
        using var response = await Http.SendAsync(request).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        var received = Assert.Single(endpoint.Received);
        Assert.Equal("source", received.Action!.ActionId);
        Assert.Equal("button", received.Action.Type);
    }

    [Fact]
    public async Task Http_WrongSecretOrTamperedBody_Refused()
    {
        var card = await PostCardAsync();
        await using var endpoint = await InteractionEndpoint.StartAsync(_ => null);
        var json = Slack.BlockActions(card, "ack").PayloadJson;

        using var wrongSecret = FakeSlackServer.SignedInteractionRequest(endpoint.Url, json, "another-secret");
        using var tampered = FakeSlackServer.SignedInteractionRequest(endpoint.Url, json, SigningSecret);
        tampered.Content = new StringContent("payload=" + Uri.EscapeDataString(json.Replace("\"ack\"", "\"mute\"", StringComparison.Ordinal)),
            Encoding.UTF8, "application/x-www-form-urlencoded");
        using var stale = FakeSlackServer.SignedInteractionRequest(endpoint.Url, json, SigningSecret, DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds());

        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(wrongSecret).WaitAsync(Wait)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(tampered).WaitAsync(Wait)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Http.SendAsync(stale).WaitAsync(Wait)).StatusCode);
        Assert.Empty(endpoint.Received);
    }

    private async Task<FakeMessage> PostCardAsync()
    {
        var card = new SlackMessageBuilder()
            .Section("*Amir* is detained")
            .Actions([new SlackButton("History", "history", "case-1"), new SlackButton("Acknowledge", "ack", "case-1"),
                new SlackButton("Mute 24h", "mute", "case-1"), new SlackButton("Update status", "update_status", "case-1"),
                new SlackButton("Source", "source", Url: "https://example.org/case/1")], "card-v1")
            .Build("Amir is detained");
        var posted = await CreateClient().PostMessageAsync(new ChatPostMessageRequest("C111", card.Text, card.Blocks), CancellationToken.None);
        return Slack.Messages.Single(m => m.Ts == posted.Ts);
    }

    private async Task<FakeView> OpenModalAsync()
    {
        await CreateClient().OpenViewAsync(Slack.IssueTriggerId(), SlackCardApiTests.UpdateStatusModal("C111|1.2").View, CancellationToken.None);
        return Assert.Single(Slack.OpenedViews);
    }

    private static SlackSocketModeOptions Options() => new()
    {
        AppToken = FakeSlackServer.DefaultAppToken,
        InitialBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        MinHealthyConnection = TimeSpan.Zero,
        HelloTimeout = TimeSpan.FromSeconds(20),
    };

    private (SlackSocketModeClient Client, Task Run) Start(InteractionHandler handler, Action<SlackSocketModeOptions>? configure = null)
    {
        var api = CreateClient(o => o.MaxAttempts = 2);
        var options = Options();
        configure?.Invoke(options);
        var client = new SlackSocketModeClient(api, options, (_, _) => Task.FromResult<SlashCommandResponse?>(null), handler,
            TimeProvider.System, NullLogger<SlackSocketModeClient>.Instance);
        return (client, Task.Run(() => client.RunAsync(_stop.Token)));
    }

    private async Task StopAsync(Task run)
    {
        await _stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Wait));
    }

    /// <summary>A stand-in for the host's /slack/interactions: verify the raw body, then parse it, then answer.</summary>
    private sealed class InteractionEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private InteractionEndpoint(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public ConcurrentQueue<InteractionPayload> Received { get; } = new();

        public static async Task<InteractionEndpoint> StartAsync(Func<InteractionPayload, InteractionResponse?> answer)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var endpoint = new InteractionEndpoint(app);
            var verifier = new SlackRequestVerifier(SigningSecret, TimeProvider.System);
            app.MapPost("/slack/interactions", async (HttpContext context) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                var raw = buffer.ToArray();
                var check = verifier.Verify(raw, context.Request.Headers[SlackRequestVerifier.TimestampHeader], context.Request.Headers[SlackRequestVerifier.SignatureHeader]);
                if (check != SlackSignatureCheck.Valid)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return;
                }

                var payload = InteractionPayload.FromFormBody(Encoding.UTF8.GetString(raw));
                endpoint.Received.Enqueue(payload);
                if (answer(payload) is { } response)
                {
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync(JsonSerializer.Serialize(response, SlackJson.InteractionResponse));
                }
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            endpoint.Url = address.TrimEnd('/') + "/slack/interactions";
            return endpoint;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
