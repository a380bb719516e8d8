using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Tests.Slack;

public sealed class SlackWiringTests
{
    [Fact]
    public async Task AddSlack_NoBotToken_RegistersNoSlackSink()
    {
        await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0", "--Slack:BotToken="]);

        Assert.DoesNotContain(app.Services.GetServices<IAlertSink>(), s => s.Platform == "slack");
        Assert.Null(app.Services.GetService<SlackOptions>());
    }

    [Fact]
    public async Task AddSlack_BotToken_RegistersSlackSinkAsSingleton()
    {
        await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0", "--Slack:BotToken=xoxb-fake-token"]);

        var first = Assert.Single(app.Services.GetServices<IAlertSink>(), s => s.Platform == "slack");
        var second = Assert.Single(app.Services.GetServices<IAlertSink>(), s => s.Platform == "slack");
        Assert.Same(first, second);
    }

    public static TheoryData<string[], string> BadConfigs => new()
    {
        { ["--Slack:BotToken=xapp-fake-token"], "Slack:BotToken" },
        { ["--Slack:BotToken=xoxb-fake-token", "--Slack:AppToken=xoxb-fake-token"], "Slack:AppToken" },
        { ["--Slack:SigningSecret=fake-secret"], "Slack:BotToken is empty" },
        { ["--Slack:BotToken=xoxb-fake-token", "--Slack:ApiBaseUrl=slack.com/api"], "Slack:ApiBaseUrl" },
        { ["--Slack:BotToken=xoxb-fake-token", "--Slack:AdminUserIds=alice,U123"], "Slack:AdminUserIds" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void AddSlack_BadConfig_FailsNamingTheKey(string[] args, string expected)
    {
        var e = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(["--Urls=http://127.0.0.1:0", .. args]));

        Assert.Contains(e.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }
}
