namespace DetaineeAlertBot.Hosting;

/// <summary>BotConfiguration sets the contract's configuration order: config/appsettings.json, then
/// config/appsettings.{Environment}.json, then environment variables, then command-line arguments (last wins).</summary>
public static class BotConfiguration
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>The folder that holds config/: the working directory, or the nearest parent that has
    /// config/appsettings.json (so the bot also runs from src/DetaineeAlertBot). Relative paths in the
    /// configuration (the sample feed, the SQLite file) are resolved against it.</summary>
    public static string FindRoot()
    {
        var start = Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "config", "appsettings.json"))) return dir.FullName;
        }
        return start;
    }

    public static WebApplicationBuilder AddBotConfiguration(this WebApplicationBuilder builder, string[] args, string root)
    {
        var configuration = builder.Configuration;
        // CreateBuilder added appsettings.json from the content root before env vars; rebuild the list in the
        // contract's order instead, so a JSON file can never override an environment variable.
        configuration.Sources.Clear();
        var environment = builder.Environment.EnvironmentName;
        configuration
            .AddJsonFile(Path.Combine(root, "config", "appsettings.json"), optional: true, reloadOnChange: false)
            .AddJsonFile(Path.Combine(root, "config", $"appsettings.{environment}.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);
        AddSampleWhenUnconfigured(configuration);

        builder.WebHost.UseUrls(ListenUrls(configuration));
        builder.Services.AddSingleton(new BotPaths(root));
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>The sample, as the lowest configuration layer: one File source on config/cases.sample.json and a console
    /// watchlist for two of its cases, so the bot shows something with no configuration at all. It is added only while
    /// nothing else (JSON, environment, arguments) configures Sources, and only with <c>Sample:Enabled</c> not false: a
    /// deployment's <c>Sources__0__*</c> replaces the sample instead of merging with it by index, and the sample watchlist
    /// goes with the sample source (Watchlists configured elsewhere replace it).</summary>
    public static void AddSampleWhenUnconfigured(IConfigurationManager configuration)
    {
        if (configuration.GetSection(SourcesOptions.SectionName).Exists()) return;
        if (string.Equals(configuration.Setting($"{SampleOptions.SectionName}:Enabled"), bool.FalseString, StringComparison.OrdinalIgnoreCase)) return;

        var sample = new Dictionary<string, string?>
        {
            ["Sources:0:Name"] = SourcesOptions.SampleName,
            ["Sources:0:Type"] = "File",
            ["Sources:0:Path"] = SourcesOptions.SamplePath,
        };
        if (!configuration.GetSection(WatchlistSeedOptions.SectionName).Exists())
        {
            sample["Watchlists:0:Platform"] = Core.Watchlists.Platforms.Console;
            sample["Watchlists:0:ChannelId"] = "console";
            sample["Watchlists:0:Cases:0"] = "af-2024-0012";
            sample["Watchlists:0:Cases:1"] = "us-2025-0101";
        }
        configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = sample });
    }

    /// <summary>Urls, else the standard ASPNETCORE_URLS, else <see cref="DefaultUrls"/>. (config/appsettings.json sets
    /// neither, so either one set in the environment is honoured.)</summary>
    public static string ListenUrls(IConfiguration configuration) =>
        configuration["Urls"] is { Length: > 0 } urls ? urls
        : configuration["ASPNETCORE_URLS"] is { Length: > 0 } standard ? standard
        : DefaultUrls;

    /// <summary>The configuration alone, in the contract's order, without building a host (the container health check).</summary>
    public static IConfiguration Load(string[] args, string root)
    {
        var environment = Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production";
        return new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(root, "config", "appsettings.json"), optional: true, reloadOnChange: false)
            .AddJsonFile(Path.Combine(root, "config", $"appsettings.{environment}.json"), optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
    }

    /// <summary>Reads a configuration list that may be an array (Key:0, Key:1) or one comma-separated string.</summary>
    public static IReadOnlyList<string> ReadList(IConfigurationSection section)
    {
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return section.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        return section.GetChildren()
            .OrderBy(child => int.TryParse(child.Key, out var index) ? index : int.MaxValue)
            .Select(child => child.Value?.Trim())
            .Where(value => !string.IsNullOrEmpty(value))
            .Select(value => value!)
            .ToArray();
    }
}

/// <summary>Resolves relative paths from configuration against the folder that holds config/.</summary>
public sealed record BotPaths(string Root)
{
    public string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Root, path));
}
