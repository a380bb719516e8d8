using System.Text.Json.Nodes;
using DetaineeAlertBot.Discord.Commands;
using DetaineeAlertBot.Discord.Fake;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Tests.Support;

namespace DetaineeAlertBot.Discord.Tests.Commands;

public sealed class ApplicationCommandSyncTests : IAsyncLifetime
{
    private const string Guild = "290926798626357999";
    private FakeDiscordServer _fake = null!;

    public async Task InitializeAsync() => _fake = await FakeDiscordServer.StartAsync();

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private int Puts => _fake.Requests.Count(r => r.Method == "PUT");

    [Fact]
    public async Task Sync_NothingRegistered_BulkOverwritesOnce()
    {
        var rest = Clients.Rest(_fake);

        var result = await ApplicationCommandSync.SyncAsync(rest, FakeDiscordServer.DefaultApplicationId, Guild, SampleCommands.Build(), CancellationToken.None);

        Assert.True(result.Changed);
        Assert.Equal(2, result.Count);
        Assert.Equal(1, Puts);
        var registered = _fake.Commands[Guild];
        Assert.Equal(["library", "shelf"], registered.Select(c => (string?)c!["name"]));
        Assert.Equal(["find", "loans"], registered[0]!["options"]!.AsArray().Select(o => (string?)o!["name"]));
        Assert.True((bool)registered[0]!["options"]![0]!["options"]![0]!["autocomplete"]!);
    }

    [Fact]
    public async Task Sync_SameCommandsAlreadyRegistered_NoPut()
    {
        var rest = Clients.Rest(_fake);
        await ApplicationCommandSync.SyncAsync(rest, FakeDiscordServer.DefaultApplicationId, Guild, SampleCommands.Build(), CancellationToken.None);

        var again = await ApplicationCommandSync.SyncAsync(rest, FakeDiscordServer.DefaultApplicationId, Guild, SampleCommands.Build(), CancellationToken.None);

        Assert.False(again.Changed);
        Assert.Equal(1, Puts);
    }

    [Fact]
    public async Task Sync_GlobalScopeSameCommands_NoPut()
    {
        var rest = Clients.Rest(_fake);
        await ApplicationCommandSync.SyncAsync(rest, FakeDiscordServer.DefaultApplicationId, null, SampleCommands.Build(), CancellationToken.None);

        var again = await ApplicationCommandSync.SyncAsync(rest, FakeDiscordServer.DefaultApplicationId, null, SampleCommands.Build(), CancellationToken.None);

        Assert.False(again.Changed);
        Assert.True(_fake.Commands.ContainsKey("global"));
        Assert.Equal(1, Puts);
    }

    [Fact]
    public async Task Sync_DescriptionChanged_PutsAgain()
    {
        var rest = Clients.Rest(_fake);
        _fake.SetCommands(Guild, JsonNode.Parse(System.Text.Encoding.UTF8.GetString(DiscordJson.Serialize(
            SampleCommands.Build().Select(c => c with { Description = c.Description + " (old)" }).ToList())))!.AsArray());

        var result = await ApplicationCommandSync.SyncAsync(rest, FakeDiscordServer.DefaultApplicationId, Guild, SampleCommands.Build(), CancellationToken.None);

        Assert.True(result.Changed);
        Assert.Equal(1, Puts);
    }

    // Table of registered-vs-desired differences the comparer must see (and Discord-filled fields it must not).
    public static TheoryData<string, Func<ApplicationCommand, ApplicationCommand>, bool> Differences => new()
    {
        { "id and version filled in by Discord", c => c with { Id = "1" }, true },
        { "required false written out", c => c with { Options = c.Options!.Select(o => o with { Required = o.Required ?? false }).ToList() }, true },
        { "description changed", c => c with { Description = "x" }, false },
        { "option removed", c => c with { Options = c.Options!.Take(1).ToList() }, false },
        { "autocomplete dropped", c => c with { Options = c.Options!.Select(o => o with { Options = o.Options?.Select(q => q with { Autocomplete = false }).ToList() }).ToList() }, false },
        { "admin-only default permissions", c => c with { DefaultMemberPermissions = "0" }, false },
    };

    [Theory]
    [MemberData(nameof(Differences))]
    public void SameCommands_RegisteredVariant_DetectsOnlyRealDifferences(string what, Func<ApplicationCommand, ApplicationCommand> change, bool same)
    {
        var desired = SampleCommands.Build();
        var registered = desired.Select(change).ToList();

        Assert.True(same == ApplicationCommandComparer.SameCommands(desired, registered, guildScope: true), what);
    }
}
