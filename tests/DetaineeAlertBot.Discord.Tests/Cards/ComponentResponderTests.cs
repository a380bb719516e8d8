using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;
using DetaineeAlertBot.Discord.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DetaineeAlertBot.Discord.Tests.Cards;

/// <summary>
/// The responder for buttons and modals against the fake, on one fake clock (the responder's DeferAfter, the REST client
/// and the fake's 3 s deadline): fast handlers answer inline (type 4 / 7 / 9), slow ones are deferred with type 6 and
/// finished with an @original edit of the card or a follow-up.
/// </summary>
public sealed class ComponentResponderTests : IAsyncLifetime
{
    private const string Channel = "645027906669510667";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();
    private FakeDiscordServer _fake = null!;
    private string _card = "";

    public async Task InitializeAsync()
    {
        _fake = await FakeDiscordServer.StartAsync();
        _card = (await Clients.Rest(_fake).CreateMessageAsync(Channel, new CreateMessageRequest
        {
            Embeds = [new Embed { Title = "Case C123", Description = "Detained" }],
            AllowedMentions = AllowedMentions.None,
            Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Primary, "Acknowledge", "ack:C123:v1"),
                MessageComponent.Button(ButtonStyle.Success, "Update status", "upd:C123"))],
        }, CancellationToken.None)).Id;
        _fake.Clock = _time;
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private InteractionResponder Responder() => new(Clients.Rest(_fake, time: _time), time: _time);

    private static Interaction Parse(JsonObject json) => DiscordJson.ParseInteraction(Encoding.UTF8.GetBytes(json.ToJsonString()))!;

    private async Task<(Interaction Interaction, FakeInteractionExchange Exchange)> PressAsync(string customId = "ack:C123:v1")
    {
        var json = _fake.ComponentInteraction(Channel, _card, customId, roles: ["111"]);
        return (Parse(json), await _fake.SendInteractionAsync(json));
    }

    private async Task<(Interaction Interaction, FakeInteractionExchange Exchange)> CommandAsync()
    {
        var id = _fake.NewSnowflake();
        var json = new JsonObject
        {
            ["id"] = id, ["application_id"] = FakeDiscordServer.DefaultApplicationId, ["type"] = 2, ["token"] = $"tok-{id}", ["version"] = 1,
            ["guild_id"] = FakeDiscordServer.DefaultGuildId, ["channel_id"] = Channel,
            ["data"] = new JsonObject { ["id"] = "1", ["name"] = "case", ["type"] = 1 },
        };
        return (Parse(json), await _fake.SendInteractionAsync(json));
    }

    private async Task<(Interaction Interaction, FakeInteractionExchange Exchange)> SubmitAsync(string? fromMessage = null)
    {
        var json = _fake.ModalSubmitInteraction(Channel, "status:C123", [new("status", "released"), new("note", "court order")], fromMessage);
        return (Parse(json), await _fake.SendInteractionAsync(json));
    }

    private static InteractionResponse Update(string status) => new()
    {
        Type = InteractionCallbackType.UpdateMessage,
        Data = new InteractionCallbackData
        {
            Embeds = [new Embed { Title = "Case C123", Description = status }],
            Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Secondary, "Acknowledged", "ack:C123:v2", disabled: true))],
            AllowedMentions = AllowedMentions.None,
        },
    };

    private static InteractionResponse Ephemeral(string text) => new()
    {
        Type = InteractionCallbackType.ChannelMessageWithSource,
        Data = new InteractionCallbackData { Content = text, Flags = MessageFlags.Ephemeral, AllowedMentions = AllowedMentions.None },
    };

    private static InteractionResponse StatusModal() => new()
    {
        Type = InteractionCallbackType.Modal,
        Data = InteractionCallbackData.Modal("status:C123", "Update status",
            MessageComponent.ActionRow(MessageComponent.TextInput("status", "Status")),
            MessageComponent.ActionRow(MessageComponent.TextInput("since", "Since (YYYY-MM-DD)", required: false)),
            MessageComponent.ActionRow(MessageComponent.TextInput("source", "Source link", required: false)),
            MessageComponent.ActionRow(MessageComponent.TextInput("note", "Note", TextInputStyle.Paragraph, required: false))),
    };

    /// <summary>Starts responding, lets DeferAfter pass on the fake clock, and returns what RespondAsync returned.</summary>
    private async Task<InteractionResponse?> RespondSlowlyAsync(InteractionResponder responder, Interaction interaction, Task<InteractionResponse> result)
    {
        var responding = responder.RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true, _ => result, CancellationToken.None);
        _time.Advance(responder.DeferAfter);
        return await responding.WaitAsync(Wait);
    }

    [Fact]
    public async Task FastButton_UpdateResult_InlineType7RewritesTheCard()
    {
        var (interaction, exchange) = await PressAsync();
        Assert.Equal(("ack:C123:v1", _card, "111"), (interaction.Data!.CustomId, interaction.Message!.Id, interaction.Member!.Roles![0]));

        Assert.Null(await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true,
            _ => Task.FromResult(Update("Acknowledged by Someone")), CancellationToken.None));

        Assert.Equal(7, (int)(await exchange.Callback.WaitAsync(Wait))["type"]!);
        var edit = Assert.Single(_fake.EditsOf(_card));
        Assert.Equal("callback type 7", edit.Via);
        Assert.Equal("Acknowledged by Someone", (string?)_fake.FindMessage(_card)!.Body["embeds"]![0]!["description"]);
        Assert.Equal("ack:C123:v2", (string?)_fake.FindMessage(_card)!.Body["components"]![0]!["components"]![0]!["custom_id"]);
    }

    [Fact]
    public async Task FastButton_EphemeralMessageOverHttp_InlineType4Flags64()
    {
        var (interaction, _) = await PressAsync("hist:C123");

        var response = await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Http, true,
            _ => Task.FromResult(Ephemeral("History: detained since 2024-01-01")), CancellationToken.None);

        Assert.Equal((InteractionCallbackType.ChannelMessageWithSource, MessageFlags.Ephemeral), (response!.Type, response.Data!.Flags));
        Assert.Empty(_fake.Callbacks);
        Assert.Empty(_fake.EditsOf(_card));
    }

    [Fact]
    public async Task SlowButton_UpdateResult_Type6ThenOriginalEditsTheCard()
    {
        var (interaction, exchange) = await PressAsync();
        var release = new TaskCompletionSource<InteractionResponse>();

        Assert.Null(await RespondSlowlyAsync(Responder(), interaction, release.Task));

        var deferral = await exchange.Callback.WaitAsync(Wait);
        Assert.Equal(InteractionCallbackType.DeferredUpdateMessage, (int)deferral["type"]!);
        Assert.Null(deferral["data"]);
        _time.Advance(TimeSpan.FromSeconds(5)); // past Discord's 3 s: the follow-up does not care
        release.SetResult(Update("Released"));

        var original = await exchange.OriginalEdit.WaitAsync(Wait);
        Assert.Null(original["flags"]);
        var edit = Assert.Single(_fake.EditsOf(_card));
        Assert.Equal("PATCH @original", edit.Via);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"parse":[]}"""), edit.AllowedMentions));
        Assert.Equal("Released", (string?)_fake.FindMessage(_card)!.Body["embeds"]![0]!["description"]);
        Assert.Single(_fake.Callbacks);
    }

    [Fact]
    public async Task SlowButton_EphemeralResult_Type6ThenFollowupWithFlags64()
    {
        var (interaction, exchange) = await PressAsync("mute:C123:86400");
        var release = new TaskCompletionSource<InteractionResponse>();

        await RespondSlowlyAsync(Responder(), interaction, release.Task);
        Assert.Equal(6, (int)(await exchange.Callback.WaitAsync(Wait))["type"]!);
        release.SetResult(Ephemeral("Muted for 24 h"));

        var followup = await exchange.Followup.WaitAsync(Wait);
        Assert.Equal(("Muted for 24 h", 64), ((string?)followup["content"], (int)followup["flags"]!));
        Assert.Equal(64, (int)Assert.Single(_fake.FollowupMessages).Json["flags"]!);
        Assert.Empty(_fake.EditsOf(_card));
        Assert.Empty(_fake.FollowUps);
    }

    [Fact]
    public async Task SlowButton_ModalResult_CannotFollowADeferral_TooLateFollowup()
    {
        var (interaction, exchange) = await PressAsync("upd:C123");
        var release = new TaskCompletionSource<InteractionResponse>();

        await RespondSlowlyAsync(Responder(), interaction, release.Task);
        release.SetResult(StatusModal());

        var followup = await exchange.Followup.WaitAsync(Wait);
        Assert.Equal("That took too long, please try again.", (string?)followup["content"]);
        Assert.Equal(64, (int)followup["flags"]!);
        Assert.Equal(6, exchange.InitialType);
    }

    [Fact]
    public async Task FastButton_ModalResult_Type9()
    {
        var (interaction, exchange) = await PressAsync("upd:C123");

        await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true, _ => Task.FromResult(StatusModal()), CancellationToken.None);

        var callback = await exchange.Callback.WaitAsync(Wait);
        Assert.Equal((9, "Update status"), ((int)callback["type"]!, (string?)callback["data"]!["title"]));
        Assert.Equal(4, callback["data"]!["components"]!.AsArray().Count);
    }

    [Fact]
    public async Task Command_ModalResult_Type9AsFirstResponse_NotADeferral()
    {
        var (interaction, exchange) = await CommandAsync();

        await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true, _ => Task.FromResult(StatusModal()), CancellationToken.None);

        Assert.Equal(InteractionCallbackType.Modal, (int)(await exchange.Callback.WaitAsync(Wait))["type"]!);
    }

    [Fact]
    public async Task SlowCommand_KeepsType5EphemeralThenOriginal()
    {
        var (interaction, exchange) = await CommandAsync();
        var release = new TaskCompletionSource<InteractionResponse>();

        await RespondSlowlyAsync(Responder(), interaction, release.Task);
        var deferral = await exchange.Callback.WaitAsync(Wait);
        Assert.Equal((5, 64), ((int)deferral["type"]!, (int)deferral["data"]!["flags"]!));
        release.SetResult(Ephemeral("found 2 cases"));

        Assert.Equal("found 2 cases", (string?)(await exchange.OriginalEdit.WaitAsync(Wait))["content"]);
        Assert.Empty(_fake.EditsOf(_card));
    }

    [Fact]
    public async Task ModalSubmitFromCard_HandlerReadsValues_UpdatesTheCard()
    {
        var (interaction, exchange) = await SubmitAsync(fromMessage: _card);
        IReadOnlyDictionary<string, string>? seen = null;

        await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true, _ =>
        {
            seen = interaction.Data!.ModalValues();
            return Task.FromResult(Update($"Status: {interaction.Data.ModalValue("status")}"));
        }, CancellationToken.None);

        Assert.Equal(7, (int)(await exchange.Callback.WaitAsync(Wait))["type"]!);
        Assert.Equal(("released", "court order"), (seen!["status"], seen["note"]));
        Assert.Equal("Status: released", (string?)_fake.FindMessage(_card)!.Body["embeds"]![0]!["description"]);
    }

    [Fact]
    public async Task ModalSubmit_HandlerReturnsModal_EphemeralApologyInstead()
    {
        var (interaction, exchange) = await SubmitAsync();

        await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true, _ => Task.FromResult(StatusModal()), CancellationToken.None);

        var callback = await exchange.Callback.WaitAsync(Wait);
        Assert.Equal((4, 64), ((int)callback["type"]!, (int)callback["data"]!["flags"]!));
    }

    [Fact]
    public async Task Button_HandlerReturnsOversizedRow_EphemeralApologyInstead()
    {
        var (interaction, exchange) = await PressAsync();
        var tooMany = new InteractionResponse
        {
            Type = InteractionCallbackType.UpdateMessage,
            Data = new InteractionCallbackData { Components = [MessageComponent.ActionRow([.. Enumerable.Range(0, 6).Select(i => MessageComponent.Button(1, "b", $"b{i}"))])] },
        };

        await Responder().RespondAsync(interaction, _time.GetTimestamp(), InteractionTransport.Gateway, true, _ => Task.FromResult(tooMany), CancellationToken.None);

        Assert.Equal(4, (int)(await exchange.Callback.WaitAsync(Wait))["type"]!);
        Assert.Empty(_fake.EditsOf(_card));
    }

    [Fact]
    public async Task Fake_ModalToModalSubmit_And_UpdateToCommand_Rejected400()
    {
        var rest = Clients.Rest(_fake, time: _time);
        var (submit, _) = await SubmitAsync();
        var (command, _) = await CommandAsync();

        var modal = await Assert.ThrowsAsync<DiscordApiException>(() => rest.CreateInteractionResponseAsync(submit.Id, submit.Token, StatusModal(), CancellationToken.None));
        var update = await Assert.ThrowsAsync<DiscordApiException>(() => rest.CreateInteractionResponseAsync(command.Id, command.Token, Update("x"), CancellationToken.None));

        Assert.Equal((HttpStatusCode.BadRequest, DiscordApiException.InvalidFormBody), (modal.Status, modal.Code));
        Assert.Equal((HttpStatusCode.BadRequest, DiscordApiException.InvalidFormBody), (update.Status, update.Code));
        // Refused responses do not count as the one response: a valid one still goes.
        await rest.CreateInteractionResponseAsync(submit.Id, submit.Token, Ephemeral("ok"), CancellationToken.None);
    }

    [Fact]
    public async Task Fake_FollowupBeforeAnyResponse_UnknownWebhook()
    {
        var (interaction, _) = await PressAsync();

        var e = await Assert.ThrowsAsync<DiscordApiException>(() => Clients.Rest(_fake, time: _time)
            .CreateFollowupMessageAsync(interaction.ApplicationId, interaction.Token, Ephemeral("x").Data!, CancellationToken.None));

        Assert.Equal(10015, e.Code);
    }

    [Fact]
    public async Task Http_ButtonPostedSigned_InlineUpdateIsTheHttpAnswer()
    {
        _fake.Clock = TimeProvider.System;
        var responder = new InteractionResponder(Clients.Rest(_fake));
        var verifier = new DiscordSignatureVerifier(_fake.PublicKeyHex);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var bot = builder.Build();
        async Task HandleAsync(HttpContext context)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            if (!verifier.Verify(context.Request.Headers["X-Signature-Ed25519"], context.Request.Headers["X-Signature-Timestamp"], body.ToArray()))
            {
                context.Response.StatusCode = 401;
                return;
            }

            var interaction = DiscordJson.ParseInteraction(body.ToArray())!;
            Func<CancellationToken, Task<InteractionResponse>> handler = _ => Task.FromResult(Update($"pressed {interaction.Data!.CustomId}"));
            var response = await responder.RespondAsync(interaction, TimeProvider.System.GetTimestamp(), InteractionTransport.Http, true,
                handler, context.RequestAborted);
            if (response is null)
            {
                context.Response.StatusCode = 202;
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(DiscordJson.Serialize(response));
        }

        bot.Run(HandleAsync);
        await bot.StartAsync();
        var address = bot.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var exchange = await _fake.PostInteractionAsync(new Uri(new Uri(address), "/discord/interactions"),
            _fake.ComponentInteraction(Channel, _card, "ack:C123:v1"));

        Assert.Equal((200, null), (exchange.HttpStatus, exchange.InlineRejection));
        Assert.Equal(7, (int)(await exchange.Callback.WaitAsync(Wait))["type"]!);
        Assert.Equal("pressed ack:C123:v1", (string?)_fake.FindMessage(_card)!.Body["embeds"]![0]!["description"]);
        await bot.StopAsync();
    }
}
