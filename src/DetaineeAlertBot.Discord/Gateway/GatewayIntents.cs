namespace DetaineeAlertBot.Discord.Gateway;

/// <summary>Gateway intent bits for <see cref="DiscordGatewayOptions.Intents"/> (combine with <c>|</c>).
/// https://discord.com/developers/docs/events/gateway#list-of-intents</summary>
public static class GatewayIntents
{
    /// <summary>GUILD_CREATE/UPDATE/DELETE, CHANNEL_*, THREAD_*. Not privileged.</summary>
    public const int Guilds = 1 << 0;

    /// <summary>MESSAGE_CREATE/UPDATE/DELETE/DELETE_BULK in guild channels. Not privileged; message <em>content</em> needs the
    /// separate, privileged MESSAGE_CONTENT (1 &lt;&lt; 15), which noticing a deleted card does not.</summary>
    public const int GuildMessages = 1 << 9;

    /// <summary>The same message events in DMs.</summary>
    public const int DirectMessages = 1 << 12;
}

/// <summary>Gateway dispatch event names the client gives typed access to.</summary>
public static class GatewayEvents
{
    public const string MessageDelete = "MESSAGE_DELETE";
    public const string MessageDeleteBulk = "MESSAGE_DELETE_BULK";
    public const string InteractionCreate = "INTERACTION_CREATE";
}
