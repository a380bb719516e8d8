using DetaineeAlertBot.Hosting;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>The Slack:* keys of the contract. Slack is off while BotToken is empty.</summary>
public sealed class SlackOptions : IValidatableOptions
{
    public const string SectionName = "Slack";
    public const string DefaultApiBaseUrl = "https://slack.com/api/";

    /// <summary>Bot User OAuth Token (xoxb-...): posts alerts, calls users.info.</summary>
    public string BotToken { get; set; } = "";

    /// <summary>App-level token (xapp-..., scope connections:write): turns Socket Mode on.</summary>
    public string AppToken { get; set; } = "";

    /// <summary>Signing secret: turns the HTTP endpoint POST /slack/commands on.</summary>
    public string SigningSecret { get; set; } = "";

    public string ApiBaseUrl { get; set; } = DefaultApiBaseUrl;

    /// <summary>Users (U.../W...) who may change watchlists besides workspace admins and owners.</summary>
    public IReadOnlyList<string> AdminUserIds { get; set; } = [];

    /// <summary>Whether guest accounts and members of other workspaces (Slack Connect) may look cases up; they never
    /// get admin rights either way.</summary>
    public bool AllowGuests { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(BotToken);

    public bool SocketModeEnabled => Enabled && !string.IsNullOrWhiteSpace(AppToken);

    public bool HttpCommandsEnabled => Enabled && !string.IsNullOrWhiteSpace(SigningSecret);

    /// <summary>What the binder cannot do: trim the credentials, default an empty ApiBaseUrl, and read AdminUserIds from an
    /// array or one comma-separated string. (An AllowGuests that is not true or false fails binding, naming the key.)</summary>
    public static void Normalize(SlackOptions options, IConfiguration configuration)
    {
        options.BotToken = options.BotToken.Trim();
        options.AppToken = options.AppToken.Trim();
        options.SigningSecret = options.SigningSecret.Trim();
        options.ApiBaseUrl = string.IsNullOrWhiteSpace(options.ApiBaseUrl) ? DefaultApiBaseUrl : options.ApiBaseUrl.Trim();
        options.AdminUserIds = BotConfiguration.ReadList(configuration.GetSection($"{SectionName}:{nameof(AdminUserIds)}"));
    }

    public IEnumerable<string> Validate()
    {
        if (!Enabled)
        {
            if (!string.IsNullOrWhiteSpace(AppToken) || !string.IsNullOrWhiteSpace(SigningSecret))
            {
                yield return "Slack:AppToken or Slack:SigningSecret is set but Slack:BotToken is empty: copy the Bot User OAuth Token (xoxb-...) "
                    + "from the Slack app's OAuth & Permissions page into Slack:BotToken, or clear the other Slack keys to keep Slack off.";
            }

            yield break;
        }

        if (!BotToken.StartsWith("xoxb-", StringComparison.Ordinal))
        {
            yield return "Slack:BotToken does not start with xoxb-: use the Bot User OAuth Token from the app's OAuth & Permissions page "
                + "(an xapp- app-level token belongs in Slack:AppToken, an xoxp- user token is not supported).";
        }

        if (!string.IsNullOrWhiteSpace(AppToken) && !AppToken.StartsWith("xapp-", StringComparison.Ordinal))
        {
            yield return "Slack:AppToken does not start with xapp-: generate an app-level token with the connections:write scope under "
                + "Basic Information > App-Level Tokens, or leave Slack:AppToken empty to use the HTTP endpoint instead.";
        }

        if (!Uri.TryCreate(ApiBaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            yield return $"Slack:ApiBaseUrl '{ApiBaseUrl}' is not an absolute http(s) URL: use {DefaultApiBaseUrl} (the default).";
        }

        foreach (var id in AdminUserIds)
        {
            if (id.Length < 2 || (id[0] != 'U' && id[0] != 'W') || !id.All(char.IsAsciiLetterOrDigit))
            {
                yield return $"Slack:AdminUserIds contains '{id}', which is not a Slack user ID: use member IDs like U0123ABCD "
                    + "(profile > ... > Copy member ID), not names.";
            }
        }
    }
}
