using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Hosting;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>The Discord:* keys of the contract. Discord is off while BotToken is empty.</summary>
public sealed class DiscordOptions : IValidatableOptions
{
    public const string SectionName = "Discord";
    public const string DefaultApiBaseUrl = "https://discord.com/api/v10";

    /// <summary>The bot token (application's Bot page); sent as <c>Authorization: Bot …</c>.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>Application id; read from <c>GET /applications/@me</c> when empty.</summary>
    public string ApplicationId { get; set; } = "";

    /// <summary>The application's Public Key (hex): turns on <c>POST /discord/interactions</c>.</summary>
    public string PublicKey { get; set; } = "";

    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>Receive interactions over the gateway (the default); with it off, only the HTTP endpoint receives them.</summary>
    public bool UseGateway { get; set; } = true;

    /// <summary>Guilds to register the commands in (instant); empty registers them globally.</summary>
    public IReadOnlyList<string> CommandGuildIds
    {
        get;
        set
        {
            field = value;
            _served = null;
        }
    } = [];

    /// <summary>Servers the bot serves besides <see cref="CommandGuildIds"/>. Interactions from any other server or from a
    /// DM are refused, and the bot leaves other servers that add it.</summary>
    public IReadOnlyList<string> AllowedGuildIds
    {
        get;
        set
        {
            field = value;
            _served = null;
        }
    } = [];

    /// <summary>Allowed ∪ command guilds: the only servers whose members may see or change anything.</summary>
    public IReadOnlySet<string> ServedGuildIds => _served ??= new HashSet<string>(AllowedGuildIds.Concat(CommandGuildIds), StringComparer.Ordinal);

    private HashSet<string>? _served;

    /// <summary>Roles allowed to change watchlists, besides ADMINISTRATOR and MANAGE_GUILD.</summary>
    public IReadOnlyList<string> AdminRoleIds { get; set; } = [];

    public bool Enabled => !string.IsNullOrWhiteSpace(BotToken);

    public bool HttpInteractionsEnabled => Enabled && !string.IsNullOrWhiteSpace(PublicKey);

    public bool GatewayEnabled => Enabled && UseGateway;

    /// <summary>What the binder cannot do: trim the credentials, default an empty ApiBaseUrl, and read the id lists from an
    /// array or one comma-separated string. (A UseGateway that is not true or false fails binding, naming the key.)</summary>
    public static void Normalize(DiscordOptions options, IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        options.BotToken = options.BotToken.Trim();
        options.ApplicationId = options.ApplicationId.Trim();
        options.PublicKey = options.PublicKey.Trim();
        options.ApiBaseUrl = string.IsNullOrWhiteSpace(options.ApiBaseUrl) ? DefaultApiBaseUrl : options.ApiBaseUrl.Trim();
        options.CommandGuildIds = BotConfiguration.ReadList(section.GetSection(nameof(CommandGuildIds)));
        options.AllowedGuildIds = BotConfiguration.ReadList(section.GetSection(nameof(AllowedGuildIds)));
        options.AdminRoleIds = BotConfiguration.ReadList(section.GetSection(nameof(AdminRoleIds)));
    }

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            if (!string.IsNullOrWhiteSpace(PublicKey) || !string.IsNullOrWhiteSpace(ApplicationId) || CommandGuildIds.Count > 0 || AllowedGuildIds.Count > 0)
            {
                yield return "Discord keys are set but Discord:BotToken is empty: copy the token from the application's Bot page "
                    + "(Reset Token) into Discord:BotToken, or clear the other Discord keys to keep Discord off.";
            }

            yield break;
        }

        if (AllowedGuildIds.Count == 0 && CommandGuildIds.Count == 0)
        {
            yield return "Discord:AllowedGuildIds is empty (and so is Discord:CommandGuildIds): the bot would answer any server that adds it, "
                + "and show it your cases. List your team's server ids in Discord:AllowedGuildIds (Developer Mode on, right-click the server, "
                + "Copy Server ID); other servers are refused and left.";
        }

        foreach (var id in AllowedGuildIds.Where(id => !IsSnowflake(id)))
        {
            yield return $"Discord:AllowedGuildIds contains '{id}', which is not a server id: enable Developer Mode, right-click the server and Copy Server ID.";
        }

        if (BotToken.StartsWith("Bot ", StringComparison.OrdinalIgnoreCase) || BotToken.Contains(' ', StringComparison.Ordinal))
        {
            yield return "Discord:BotToken contains a space: put only the token itself, without a 'Bot ' prefix.";
        }

        if (!UseGateway && string.IsNullOrWhiteSpace(PublicKey))
        {
            yield return "Discord:UseGateway is false but Discord:PublicKey is empty, so commands could not reach the bot: copy the Public Key "
                + "from the application's General Information page into Discord:PublicKey (and set the Interactions Endpoint URL to "
                + "https://<your host>/discord/interactions), or set Discord:UseGateway=true.";
        }

        if (!string.IsNullOrWhiteSpace(PublicKey) && !DiscordSignatureVerifier.IsValidPublicKey(PublicKey))
        {
            yield return "Discord:PublicKey is not a 64-character hex key: copy the Public Key (not the Client Secret or the token) "
                + "from the application's General Information page.";
        }

        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return $"Discord:ApiBaseUrl '{ApiBaseUrl}' is not an absolute http(s) URL: use {DefaultApiBaseUrl} (the default).";
        }

        if (!string.IsNullOrWhiteSpace(ApplicationId) && !IsSnowflake(ApplicationId))
        {
            yield return $"Discord:ApplicationId '{ApplicationId}' is not a Discord id: copy the Application ID from the General Information page, or leave it empty to read it from Discord.";
        }

        foreach (var id in CommandGuildIds.Where(id => !IsSnowflake(id)))
        {
            yield return $"Discord:CommandGuildIds contains '{id}', which is not a server id: enable Developer Mode, right-click the server and Copy Server ID.";
        }

        foreach (var id in AdminRoleIds.Where(id => !IsSnowflake(id)))
        {
            yield return $"Discord:AdminRoleIds contains '{id}', which is not a role id: Server Settings > Roles > right-click the role > Copy Role ID (names do not work).";
        }
    }

    public static bool IsSnowflake(string id) => id.Length is >= 15 and <= 20 && id.All(char.IsAsciiDigit);
}
