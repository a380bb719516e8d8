using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Discord.Commands;

/// <summary>Result of syncing one scope (a guild, or global when <see cref="GuildId"/> is null).</summary>
public sealed record CommandSyncResult(string? GuildId, bool Changed, int Count);

/// <summary>
/// Registers commands only when they differ: <c>GET …/commands</c>, compare, and <c>PUT</c> (bulk overwrite) only on a
/// difference, so restarts do not spend the daily command-create budget.
/// </summary>
public static class ApplicationCommandSync
{
    public static async Task<CommandSyncResult> SyncAsync(
        DiscordRestClient rest, string applicationId, string? guildId, IReadOnlyList<ApplicationCommand> desired, CancellationToken ct)
    {
        var registered = await rest.GetApplicationCommandsAsync(applicationId, guildId, ct).ConfigureAwait(false);
        if (ApplicationCommandComparer.SameCommands(desired, registered, guildScope: guildId is not null))
        {
            return new CommandSyncResult(guildId, Changed: false, registered.Count);
        }

        var result = await rest.BulkOverwriteApplicationCommandsAsync(applicationId, guildId, desired, ct).ConfigureAwait(false);
        return new CommandSyncResult(guildId, Changed: true, result.Count);
    }
}
