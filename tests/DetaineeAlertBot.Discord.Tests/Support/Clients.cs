using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Gateway;
using DetaineeAlertBot.Discord.Rest;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Discord.Tests.Support;

internal static class Clients
{
    public static DiscordRestClient Rest(FakeDiscordServer fake, Action<DiscordRestOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new DiscordRestOptions
        {
            ApiBaseUrl = fake.ApiBaseUrl,
            BotToken = FakeDiscordServer.DefaultBotToken,
            ServerErrorBackoff = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return new DiscordRestClient(new HttpClient(), Options.Create(options), time: time);
    }

    public static DiscordRestClient Rest(HttpMessageHandler handler, TimeProvider? time = null, Action<DiscordRestOptions>? configure = null)
    {
        var options = new DiscordRestOptions
        {
            ApiBaseUrl = new Uri("http://127.0.0.1:9/api/v10"),
            BotToken = FakeDiscordServer.DefaultBotToken,
            ServerErrorBackoff = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return new DiscordRestClient(new HttpClient(handler), Options.Create(options), time: time);
    }

    public static DiscordGatewayClient Gateway(FakeDiscordServer fake, DiscordRestClient rest, Action<DiscordGatewayOptions>? configure = null)
    {
        var options = new DiscordGatewayOptions
        {
            BotToken = FakeDiscordServer.DefaultBotToken,
            InitialReconnectDelay = TimeSpan.FromMilliseconds(50),
            MaxReconnectDelay = TimeSpan.FromMilliseconds(500),
            IdentifyInterval = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return new DiscordGatewayClient(rest, Options.Create(options));
    }
}
