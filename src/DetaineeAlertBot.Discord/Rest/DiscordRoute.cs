namespace DetaineeAlertBot.Discord.Rest;

/// <summary>
/// One REST call: its method, route template (the rate-limit key before a bucket hash is known),
/// concrete path and major parameter (channel, guild or webhook id: routes with different major
/// parameters have independent limits).
/// </summary>
/// <param name="Interaction">Interaction callbacks and follow-ups: not bound to the global limit, no bucket queue.</param>
/// <param name="BucketSeed">The route key whose bucket this route shares until Discord names its own bucket.</param>
internal sealed record DiscordRoute(HttpMethod Method, string Template, string Path, string MajorParameter, bool Interaction = false, string? BucketSeed = null)
{
    public string RouteKey => $"{Method.Method} {Template}";

    public override string ToString() => RouteKey;

    public static DiscordRoute CreateMessage(string channelId) =>
        new(HttpMethod.Post, "/channels/{channel_id}/messages", $"channels/{Id(channelId)}/messages", channelId);

    /// <summary>Edit Message: keyed on the channel like Create Message, and queued with it until Discord's bucket header says
    /// otherwise (Discord.Net also sends create and edit through one bucket).</summary>
    public static DiscordRoute EditMessage(string channelId, string messageId) =>
        new(HttpMethod.Patch, "/channels/{channel_id}/messages/{message_id}", $"channels/{Id(channelId)}/messages/{Id(messageId)}", channelId,
            BucketSeed: "POST /channels/{channel_id}/messages");

    /// <summary>Get Channel Messages, newest first; <paramref name="before"/> pages back from that message id.</summary>
    public static DiscordRoute GetChannelMessages(string channelId, string? before, int limit) =>
        new(HttpMethod.Get, "/channels/{channel_id}/messages",
            $"channels/{Id(channelId)}/messages?limit={limit.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(before is null ? "" : $"&before={Id(before)}")}",
            channelId);

    public static DiscordRoute GetGatewayBot() => new(HttpMethod.Get, "/gateway/bot", "gateway/bot", "global");

    public static DiscordRoute LeaveGuild(string guildId) =>
        new(HttpMethod.Delete, "/users/@me/guilds/{guild_id}", $"users/@me/guilds/{Id(guildId)}", guildId);

    public static DiscordRoute GetCurrentUser() => new(HttpMethod.Get, "/users/@me", "users/@me", "global");

    public static DiscordRoute GetCurrentApplication() => new(HttpMethod.Get, "/applications/@me", "applications/@me", "global");

    public static DiscordRoute Commands(HttpMethod method, string applicationId, string? guildId) => guildId is null
        ? new(method, "/applications/{application_id}/commands", $"applications/{Id(applicationId)}/commands", "global")
        : new(method, "/applications/{application_id}/guilds/{guild_id}/commands",
            $"applications/{Id(applicationId)}/guilds/{Id(guildId)}/commands", guildId);

    public static DiscordRoute InteractionCallback(string interactionId, string token) =>
        new(HttpMethod.Post, "/interactions/{interaction_id}/{interaction_token}/callback",
            $"interactions/{Id(interactionId)}/{Uri.EscapeDataString(token)}/callback", interactionId, Interaction: true);

    public static DiscordRoute EditOriginal(string applicationId, string token) =>
        new(HttpMethod.Patch, "/webhooks/{application_id}/{interaction_token}/messages/@original",
            $"webhooks/{Id(applicationId)}/{Uri.EscapeDataString(token)}/messages/@original", applicationId, Interaction: true);

    public static DiscordRoute CreateFollowup(string applicationId, string token) =>
        new(HttpMethod.Post, "/webhooks/{application_id}/{interaction_token}",
            $"webhooks/{Id(applicationId)}/{Uri.EscapeDataString(token)}", applicationId, Interaction: true);

    // Snowflakes are digits; anything else would change the path, so refuse it here.
    private static string Id(string id) =>
        id.Length is > 0 and <= 20 && id.All(char.IsAsciiDigit)
            ? id
            : throw new ArgumentException($"'{id}' is not a Discord snowflake id (digits only).", nameof(id));
}
