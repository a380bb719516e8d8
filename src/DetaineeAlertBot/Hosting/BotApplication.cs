using DetaineeAlertBot.Cluster;
using DetaineeAlertBot.Discord;
using DetaineeAlertBot.Adapters.Discord;
using DetaineeAlertBot.Endpoints;
using DetaineeAlertBot.Health;
using DetaineeAlertBot.Slack;
using DetaineeAlertBot.Adapters.Slack;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Hosting;

/// <summary>BotApplication builds and runs the host: configuration, storage, pipeline, sources, chat platforms and
/// endpoints, each added by its own extension so this file reads as the list of what the bot is made of.</summary>
public static class BotApplication
{
    /// <param name="configure">Test hook: runs after the standard registrations, before Build.</param>
    /// <param name="root">The folder holding config/; found from the working directory when null.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, string? root = null)
    {
        root ??= BotConfiguration.FindRoot();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = root });
        builder.AddBotConfiguration(args, root);

        builder.AddBotSecurity();
        builder.AddBotStorage();
        builder.AddCluster();
        builder.AddPipeline();
        builder.AddCaseSources();
        builder.AddDiscord();
        builder.AddSlack();
        builder.AddBotMetrics();
        builder.AddBotHealth();
        configure?.Invoke(builder);

        var app = builder.Build();
        // Before anything starts, every options section at once: one error listing every bad key and its fix.
        try
        {
            BotOptions.ThrowIfInvalid(app.Services);
        }
        catch (OptionsValidationException)
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        // Before any endpoint runs: management endpoints (detail, metrics) refuse callers from elsewhere without the key.
        Security.ManagementAccess.UseGuard(app);
        app.MapHealthEndpoints();
        app.MapBotMetrics();
        app.MapIngestEndpoints();
        app.MapDiscordEndpoints();
        app.MapSlackEndpoints();
        return app;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            await using var app = Build(args);
            await app.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            // A configuration mistake is the operator's to fix: say which keys and how, without a stack trace.
            Console.Error.WriteLine("DetaineeAlertBot cannot start: the configuration has problems.");
            foreach (var failure in ex.Failures) Console.Error.WriteLine($"  - {failure}");
            Console.Error.WriteLine("Settings come from config/appsettings.json, then environment variables (Section__Key), then command-line arguments (--Section:Key=value).");
            return 2;
        }
        catch (StartupException ex)
        {
            Console.Error.WriteLine($"DetaineeAlertBot cannot start: {ex.Message}");
            return 3;
        }
        catch (IOException ex) when (ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            Console.Error.WriteLine($"DetaineeAlertBot cannot start: {ex.Message} Is another instance running? Stop it, or set Urls "
                + "(e.g. --Urls=http://127.0.0.1:8081) to listen elsewhere.");
            return 4;
        }
    }
}

/// <summary>A start-up failure with a message written for the operator (what happened and what to do).</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
