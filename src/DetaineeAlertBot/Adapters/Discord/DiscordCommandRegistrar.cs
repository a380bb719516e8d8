using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Discord.Commands;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// Registers the <see cref="CommandTable"/>'s commands at start (<see cref="DiscordCommandDefinitions"/>): in each of Discord:CommandGuildIds (instant), else globally. Each scope
/// is compared with what Discord has (GET) and overwritten (PUT) only when different, so restarts cost nothing
/// against the daily command-create limit.
/// </summary>
public sealed class DiscordCommandRegistrar(DiscordRestClient rest, DiscordOptions options, HealthRegistry health, ILogger<DiscordCommandRegistrar> logger)
{
    public async Task RegisterAsync(string applicationId, CancellationToken ct)
    {
        var desired = DiscordCommandDefinitions.Build();
        IReadOnlyList<string?> scopes = options.CommandGuildIds.Count > 0 ? [.. options.CommandGuildIds] : [null];
        var problems = new List<string>();
        foreach (var guild in scopes)
        {
            var where = guild is null ? "globally" : $"in guild {guild}";
            try
            {
                var result = await ApplicationCommandSync.SyncAsync(rest, applicationId, guild, desired, ct).ConfigureAwait(false);
                logger.LogInformation(result.Changed
                    ? "Discord commands registered {Where} ({Count} commands)"
                    : "Discord commands {Where} already up to date ({Count} commands); nothing sent", where, result.Count);
            }
            catch (DiscordApiException e)
            {
                var hint = e.Status == System.Net.HttpStatusCode.Forbidden || e.Code == DiscordApiException.MissingAccess
                    ? $" Invite the bot to that server with the applications.commands scope, or fix Discord:CommandGuildIds."
                    : "";
                problems.Add($"registering commands {where} failed: {e.Message}.{hint}");
                logger.LogError("Discord commands could not be registered {Where}: {Error}{Hint}", where, e.Message, hint);
            }
        }

        health.Report(DiscordWiring.CommandsHealthComponent, problems.Count == 0,
            problems.Count == 0 ? $"{CommandTable.CommandList()} registered {(scopes is [null] ? "globally" : $"in {scopes.Count} guild(s)")}" : string.Join(" ", problems));
    }
}
