using DetaineeAlertBot.Discord.Gateway;

namespace DetaineeAlertBot.Discord.Tests.Gateway;

public class GatewayCloseCodesTests
{
    [Theory]
    // Reconnect and resume.
    [InlineData(4000, GatewayCloseAction.Resume)]
    [InlineData(4001, GatewayCloseAction.Resume)]
    [InlineData(4002, GatewayCloseAction.Resume)]
    [InlineData(4008, GatewayCloseAction.Resume)]
    [InlineData(null, GatewayCloseAction.Resume)]
    // Reconnect with a new session.
    [InlineData(4003, GatewayCloseAction.Reidentify)]
    [InlineData(4005, GatewayCloseAction.Reidentify)]
    [InlineData(4007, GatewayCloseAction.Reidentify)]
    [InlineData(4009, GatewayCloseAction.Reidentify)]
    [InlineData(1000, GatewayCloseAction.Reidentify)]
    // Never reconnect: the configuration must change.
    [InlineData(4004, GatewayCloseAction.Fatal)]
    [InlineData(4010, GatewayCloseAction.Fatal)]
    [InlineData(4011, GatewayCloseAction.Fatal)]
    [InlineData(4012, GatewayCloseAction.Fatal)]
    [InlineData(4013, GatewayCloseAction.Fatal)]
    [InlineData(4014, GatewayCloseAction.Fatal)]
    public void Classify_CloseCode_MatchesDocumentedAction(int? code, GatewayCloseAction expected) =>
        Assert.Equal(expected, GatewayCloseCodes.Classify(code));
}
