using System.Net;
using System.Text.Json;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Slack.Fake;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Slack;

/// <summary>The bot serves its own workspace and app only: other workspaces, another app's requests, members of other
/// workspaces in shared channels (even their admins) and guests get a refusal without case data and change nothing;
/// a signed request runs once.</summary>
public sealed class SlackBoundaryTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const string ForeignTeam = "T999";

    private static async Task<string> AskAsync(SlackHost host, HttpRequestMessage request, string responseUrl)
    {
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        if (reply.GetProperty("text").GetString()!.StartsWith("Working on it", StringComparison.Ordinal))
        {
            reply = await host.Slack.WaitForResponseUrlPostAsync(responseUrl, Wait);
        }

        Assert.Equal("ephemeral", reply.GetProperty("response_type").GetString());
        return AllText(reply);
    }

    /// <summary>Every string in a reply (text and blocks), decoded, one per line.</summary>
    private static string AllText(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.Object => string.Join("\n", element.EnumerateObject().Select(p => AllText(p.Value))),
        JsonValueKind.Array => string.Join("\n", element.EnumerateArray().Select(AllText)),
        _ => "",
    };

    private static Task<string> AskAsync(SlackHost host, string command, string text, string userId, string teamId = FakeSlackServer.TeamId,
        string appId = FakeSlackServer.AppId, string channelId = "C111")
    {
        var responseUrl = host.Slack.NewResponseUrl();
        return AskAsync(host, SlackHost.SignedCommand(command, text, userId, responseUrl: responseUrl, teamId: teamId, appId: appId, channelId: channelId),
            responseUrl);
    }

    private static void AssertRefusedWithoutData(string reply, string words)
    {
        Assert.Contains(words, reply, StringComparison.Ordinal);
        foreach (var secret in new[] { "Amir", "af-2024-0012", "Detained", "detained", "Released", "Afghanistan" })
        {
            Assert.DoesNotContain(secret, reply, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Http_ForeignWorkspaceOtherAppForeignAdminAndGuests_RefusedWithoutDataAndNothingChanges()
    {
        await using var host = await SlackHost.StartAsync(socketMode: false);
        await host.WaitForCasesAsync();
        host.Slack.AddUser(new FakeUser("UFOREIGNADMIN", IsAdmin: true, IsOwner: true, TeamId: ForeignTeam));
        host.Slack.AddUser(new FakeUser("UGUEST", IsRestricted: true));
        host.Slack.AddUser(new FakeUser("USINGLE", IsUltraRestricted: true));
        host.Slack.AddUser(new FakeUser("UOURADMIN", IsAdmin: true));
        var usersInfoBefore = host.Slack.Calls("users.info");

        // Another workspace, or a request made for another app: refused without even asking Slack who it is.
        var foreignTeam = await AskAsync(host, "/case", "lookup amir amiry", "UOURADMIN", teamId: ForeignTeam, channelId: "CFOREIGN");
        var foreignTeamAdd = await AskAsync(host, "/watchlist", "add af-2024-0012", "UOURADMIN", teamId: ForeignTeam, channelId: "CFOREIGN");
        var otherApp = await AskAsync(host, "/case", "lookup amir amiry", "UOURADMIN", appId: "A999");
        Assert.Equal(usersInfoBefore, host.Slack.Calls("users.info"));
        // A Slack Connect channel: the command says our team, but the user belongs to another one (and is its admin).
        var foreignAdminLookup = await AskAsync(host, "/case", "lookup amir amiry", "UFOREIGNADMIN", channelId: "CSHARED");
        var foreignAdminAdd = await AskAsync(host, "/watchlist", "add af-2024-0012", "UFOREIGNADMIN", channelId: "CSHARED");
        var guest = await AskAsync(host, "/case", "lookup amir amiry", "UGUEST");
        var singleChannelGuest = await AskAsync(host, "/watchlist", "list", "USINGLE");

        AssertRefusedWithoutData(foreignTeam, AccessRefusals.ForeignWorkspace);
        AssertRefusedWithoutData(foreignTeamAdd, AccessRefusals.ForeignWorkspace);
        AssertRefusedWithoutData(otherApp, AccessRefusals.ForeignWorkspace);
        AssertRefusedWithoutData(foreignAdminLookup, AccessRefusals.Guest);
        AssertRefusedWithoutData(foreignAdminAdd, AccessRefusals.Guest);
        AssertRefusedWithoutData(guest, AccessRefusals.Guest);
        AssertRefusedWithoutData(singleChannelGuest, AccessRefusals.Guest);
        var watchlists = host.App.Services.GetRequiredService<IWatchlistStore>();
        Assert.Empty(await watchlists.ListAsync("slack", "CFOREIGN", CancellationToken.None));
        Assert.Empty(await watchlists.ListAsync("slack", "CSHARED", CancellationToken.None));

        // Our own admin, in our own workspace, is served.
        var ours = await AskAsync(host, "/case", "lookup amir amiry", "UOURADMIN");
        Assert.Contains("Amir Amiry", ours, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_AllowGuests_GuestsAndSharedChannelMembersMayLookUpButAreNeverAdmins()
    {
        await using var host = await SlackHost.StartAsync(socketMode: false, httpCommands: true, "--Slack:AllowGuests=true");
        await host.WaitForCasesAsync();
        host.Slack.AddUser(new FakeUser("UFOREIGNADMIN", IsAdmin: true, TeamId: ForeignTeam));
        host.Slack.AddUser(new FakeUser("UGUEST", IsRestricted: true, IsAdmin: true));

        var lookup = await AskAsync(host, "/case", "lookup amir amiry", "UFOREIGNADMIN", channelId: "CSHARED");
        var foreignAdd = await AskAsync(host, "/watchlist", "add af-2024-0012", "UFOREIGNADMIN", channelId: "CSHARED");
        var guestAdd = await AskAsync(host, "/watchlist", "add af-2024-0012", "UGUEST", channelId: "CSHARED");
        // Another workspace stays refused: AllowGuests is about people in our workspace's channels.
        var foreignTeam = await AskAsync(host, "/case", "lookup amir amiry", "UFOREIGNADMIN", teamId: ForeignTeam);

        Assert.Contains("Amir Amiry", lookup, StringComparison.Ordinal);
        Assert.Contains("Only admins", foreignAdd, StringComparison.Ordinal);
        Assert.Contains("Only admins", guestAdd, StringComparison.Ordinal);
        AssertRefusedWithoutData(foreignTeam, AccessRefusals.ForeignWorkspace);
        Assert.Empty(await host.App.Services.GetRequiredService<IWatchlistStore>().ListAsync("slack", "CSHARED", CancellationToken.None));
    }

    [Fact]
    public async Task Http_SameSignedCommandTwice_SecondIs401AndRunsOnce()
    {
        await using var host = await SlackHost.StartAsync(socketMode: false);
        await host.WaitForCasesAsync();
        var responseUrl = host.Slack.NewResponseUrl();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        HttpRequestMessage Request() => SlackHost.SignedCommand("/watchlist", "add af-2024-0012", SlackHost.AdminUserId, timestamp,
            responseUrl: responseUrl, channelId: "CREPLAY");

        var first = await AskAsync(host, Request(), responseUrl);
        using var second = await host.Http.SendAsync(Request());

        Assert.DoesNotContain("Only admins", first, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
        Assert.DoesNotContain("Amir", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var entry = Assert.Single(await host.App.Services.GetRequiredService<IWatchlistStore>().ListAsync("slack", "CREPLAY", CancellationToken.None));
        Assert.Equal("af-2024-0012", entry.CaseId);
    }

    [Fact]
    public async Task SocketMode_ForeignWorkspaceAndForeignUserEnvelopes_AckedWithARefusalWithoutData()
    {
        await using var host = await SlackHost.StartAsync(socketMode: true, httpCommands: false);
        await host.WaitForCasesAsync();
        host.Slack.AddUser(new FakeUser("UFOREIGNADMIN", IsAdmin: true, TeamId: ForeignTeam));
        var socket = await host.Slack.WaitForSocketAsync(0, Wait);

        await socket.SendSlashCommandAsync("env-foreign-team", "/case", "lookup amir amiry", teamId: ForeignTeam);
        await socket.SendSlashCommandAsync("env-other-app", "/case", "lookup amir amiry", appId: "A999");
        await socket.SendSlashCommandAsync("env-foreign-user", "/watchlist", "add af-2024-0012", userId: "UFOREIGNADMIN", channelId: "CSHARED",
            responseUrl: host.Slack.NewResponseUrl());

        foreach (var (envelope, words) in new[] { ("env-foreign-team", AccessRefusals.ForeignWorkspace), ("env-other-app", AccessRefusals.ForeignWorkspace),
                     ("env-foreign-user", AccessRefusals.Guest) })
        {
            var ack = await socket.WaitForAckAsync(envelope, Wait);
            AssertRefusedWithoutData(AllText(ack.GetProperty("payload")), words);
        }

        Assert.Empty(await host.App.Services.GetRequiredService<IWatchlistStore>().ListAsync("slack", "CSHARED", CancellationToken.None));
    }
}
