using System.Collections.Concurrent;
using System.Text.Json;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Health;
using DetaineeAlertBot.Discord.Models;
using DetaineeAlertBot.Discord.Rest;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>A server the bot found itself in without being allowed there, waiting to be left.</summary>
public sealed record ForeignGuild(string Id, string Name, DateTimeOffset SeenAt, string? LastError);

/// <summary>
/// DiscordGuildBoundary keeps the bot inside its team's servers (Discord:AllowedGuildIds ∪ Discord:CommandGuildIds).
/// A public bot can be added to any server by anyone with Manage Server there; such a server must see nothing: its
/// interactions get <see cref="AccessRefusals"/>, and when the gateway announces it (GUILD_CREATE) the bot leaves it.
/// Until the leave succeeds it is listed in /healthz/detail.
/// </summary>
public sealed class DiscordGuildBoundary(
    DiscordOptions options, DiscordRestClient rest, HealthRegistry health, TimeProvider time, ILogger<DiscordGuildBoundary> logger)
{
    /// <summary>/healthz/detail component: degraded while the bot is in a server it could not leave.</summary>
    public const string HealthComponent = "discord-servers";

    private const int MaxNameLength = 100;

    private readonly ConcurrentDictionary<string, ForeignGuild> _foreign = new(StringComparer.Ordinal);

    /// <summary>Foreign servers not yet left (for /healthz/detail).</summary>
    public IReadOnlyList<ForeignGuild> ForeignGuilds => [.. _foreign.Values.OrderBy(g => g.SeenAt)];

    public bool IsServed(string? guildId) => guildId is not null && options.ServedGuildIds.Contains(guildId);

    /// <summary>Null when the interaction comes from a served server; otherwise the words to refuse it with.</summary>
    public string? RefusalFor(Interaction interaction) =>
        interaction.GuildId is null ? AccessRefusals.DirectMessage
        : IsServed(interaction.GuildId) ? null
        : AccessRefusals.ForeignServer;

    /// <summary>GUILD_CREATE (the bot joined a server, or a server became available after READY): leave it unless served.</summary>
    public async Task OnGuildCreateAsync(JsonElement guild, CancellationToken ct)
    {
        if (!TryReadGuild(guild, out var id, out var name) || IsServed(id))
        {
            return;
        }

        logger.LogWarning(
            "The bot is a member of Discord server {GuildId} ({GuildName}), which is not in Discord:AllowedGuildIds or Discord:CommandGuildIds: leaving it. "
            + "If it is your team's server, add its id to Discord:AllowedGuildIds and invite the bot again", id, name);
        _foreign[id] = new ForeignGuild(id, name, time.GetUtcNow(), null);
        ReportHealth();
        try
        {
            await rest.LeaveGuildAsync(id, ct).ConfigureAwait(false);
            Forget(id);
            logger.LogWarning("Left Discord server {GuildId} ({GuildName})", id, name);
        }
        catch (DiscordApiException e) when (e.Code == DiscordApiException.UnknownGuild)
        {
            Forget(id); // Already gone.
        }
        catch (Exception e) when (e is DiscordApiException or DiscordClientStoppedException or HttpRequestException or TimeoutException)
        {
            // It stays listed; the next GUILD_CREATE for it (every gateway session announces each server) tries again.
            _foreign[id] = _foreign[id] with { LastError = e.Message };
            ReportHealth();
            logger.LogError("Could not leave Discord server {GuildId} ({GuildName}): {Error}. Its members still get no data; remove the bot "
                + "from that server by hand (Server Settings > Integrations)", id, name, e.Message);
        }
    }

    /// <summary>GUILD_DELETE: the bot left or was removed, so nothing is left to do. (With <c>unavailable: true</c> it is an
    /// outage of that server, not a removal: it stays listed.)</summary>
    public void OnGuildDelete(JsonElement guild)
    {
        if (guild.ValueKind == JsonValueKind.Object && guild.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            && !(guild.TryGetProperty("unavailable", out var unavailable) && unavailable.ValueKind == JsonValueKind.True)
            && SafeString(id) is { } text)
        {
            Forget(text);
        }
    }

    private void Forget(string id)
    {
        if (_foreign.TryRemove(id, out _)) ReportHealth();
    }

    private void ReportHealth()
    {
        var pending = ForeignGuilds;
        if (pending.Count == 0)
        {
            health.Report(HealthComponent, HealthState.Healthy, $"in no server outside the {options.ServedGuildIds.Count} allowed");
            return;
        }

        health.Report(HealthComponent, HealthState.Degraded, "in server(s) not allowed, refusing them and leaving: "
            + string.Join("; ", pending.Select(g => $"{g.Id} ({g.Name})" + (g.LastError is { } error ? $": leaving failed: {error}" : ""))));
    }

    private static bool TryReadGuild(JsonElement guild, out string id, out string name)
    {
        id = "";
        name = "";
        if (guild.ValueKind != JsonValueKind.Object || !guild.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.String
            || idElement.GetString() is not { } text || !DiscordOptions.IsSnowflake(text))
        {
            return false;
        }

        id = text;
        // A stranger chose this name: shown only in logs and the operator's detail, cleaned and short.
        var raw = guild.TryGetProperty("name", out var nameElement) && nameElement.ValueKind == JsonValueKind.String ? SafeString(nameElement) : null;
        name = raw is null ? "unnamed" : UntrustedText.CleanLine(raw).Trim() is { Length: > 0 } clean ? Shorten(clean) : "unnamed";
        return true;
    }

    private static string? SafeString(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // A lone surrogate: not worth showing.
        }
    }

    private static string Shorten(string text) => text.Length <= MaxNameLength ? text : text[..MaxNameLength] + "…";
}
