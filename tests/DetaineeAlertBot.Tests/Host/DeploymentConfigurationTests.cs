using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Tests.Host;

/// <summary>These tests set process environment variables (Sources__0__*, ASPNETCORE_URLS) that every host built meanwhile
/// would read, so they run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

/// <summary>A container is configured by environment variables on top of the shipped config/appsettings.json: they must be
/// able to replace or drop the sample feed and its console watchlist, and to choose the listen address.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class DeploymentConfigurationTests
{
    /// <summary>A root holding the repository's own config/appsettings.json, as the container image ships it.</summary>
    private static string CreateRootWithShippedSettings()
    {
        var shipped = File.ReadAllText(Path.Combine(BotConfiguration.FindRoot(), "config", "appsettings.json"));
        return BotTestHost.CreateRoot("[]", shipped);
    }

    private static async Task WithEnvironmentAsync(IReadOnlyDictionary<string, string> variables, Func<Task> test)
    {
        foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
        try
        {
            await test();
        }
        finally
        {
            foreach (var name in variables.Keys) Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task ShippedSettings_NothingElseConfigured_RunTheSampleWithItsConsoleWatchlist()
    {
        var root = CreateRootWithShippedSettings();
        try
        {
            await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0"], root: root);

            var source = Assert.Single(app.Services.GetRequiredService<SourcesOptions>().Items);
            Assert.Equal(("sample", "File", Path.Combine(root, "config", "cases.sample.json")), (source.Name, source.Type, source.Path));
            var seed = Assert.Single(app.Services.GetRequiredService<WatchlistSeeds>().Seeds);
            Assert.Equal(("console", "console"), (seed.Platform, seed.ChannelId));
            Assert.Equal(["af-2024-0012", "us-2025-0101"], seed.Cases);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task EnvironmentSources_ReplaceTheSampleSourceAndDropItsWatchlist_WithoutMergingByIndex()
    {
        var root = CreateRootWithShippedSettings();
        try
        {
            await WithEnvironmentAsync(new Dictionary<string, string>
            {
                ["Sources__0__Name"] = "state-dept-feed",
                ["Sources__0__Type"] = "Http",
                ["Sources__0__Url"] = "http://127.0.0.1:9/feed.json",
            }, async () =>
            {
                await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0"], root: root);

                var source = Assert.Single(app.Services.GetRequiredService<SourcesOptions>().Items);
                // Merged by index, the sample's Path would still be there.
                Assert.Equal(("state-dept-feed", "Http", "http://127.0.0.1:9/feed.json", (string?)null), (source.Name, source.Type, source.Url, source.Path));
                Assert.Empty(app.Services.GetRequiredService<WatchlistSeeds>().Seeds);
            });
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task EnvironmentWatchlist_ReplacesTheSampleWatchlist_AndSampleDisabled_DropsTheSampleSource()
    {
        var root = CreateRootWithShippedSettings();
        try
        {
            await WithEnvironmentAsync(new Dictionary<string, string>
            {
                ["Sample__Enabled"] = "false",
                ["Ingest__ApiKey"] = "fake-ingest-key-0123456789abcdef",
                ["Watchlists__0__Platform"] = "console",
                ["Watchlists__0__ChannelId"] = "ops",
                ["Watchlists__0__Cases"] = "push:p-1",
            }, async () =>
            {
                await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0"], root: root);

                Assert.Empty(app.Services.GetRequiredService<SourcesOptions>().Items);
                var seed = Assert.Single(app.Services.GetRequiredService<WatchlistSeeds>().Seeds);
                Assert.Equal("ops", seed.ChannelId);
                Assert.Equal(["push:p-1"], seed.Cases);
            });
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task AspNetCoreUrls_WithoutUrls_IsWhereTheBotListens()
    {
        var root = CreateRootWithShippedSettings();
        try
        {
            // Port 0: the system picks a free port, so the default (8080) is told apart from the variable's address.
            await WithEnvironmentAsync(new Dictionary<string, string> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:0", ["Sample__Enabled"] = "false" }, async () =>
            {
                await using var app = BotApplication.Build([], root: root);
                await app.StartAsync();

                var address = new Uri(Assert.Single(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses));
                Assert.Equal("127.0.0.1", address.Host);
                Assert.NotEqual(8080, address.Port);
                await app.StopAsync();
            });
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void ListenUrls_UrlsSet_WinsOverAspNetCoreUrls()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = "http://127.0.0.1:5001", ["Urls"] = "http://127.0.0.1:5002" })
            .Build();

        Assert.Equal("http://127.0.0.1:5002", BotConfiguration.ListenUrls(configuration));
    }
}
