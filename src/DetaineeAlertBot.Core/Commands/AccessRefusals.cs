namespace DetaineeAlertBot.Core.Commands;

/// <summary>AccessRefusals are the answers for callers outside the team: another Discord server, a direct message,
/// another Slack workspace, a guest. They say what to do and reveal nothing about cases (not even whether a name is
/// tracked), so every adapter answers strangers with these words before any command runs.</summary>
public static class AccessRefusals
{
    public const string ForeignServer =
        "This bot serves only its own team's servers, so it shows and changes nothing here. If this is your team's server, ask the bot's operator to add it.";

    public const string DirectMessage =
        "This bot answers only inside its team's servers, not in direct messages. Run the command in one of your team's channels.";

    public const string ForeignWorkspace =
        "This bot serves only its own Slack workspace, so it shows and changes nothing here.";

    public const string Guest =
        "Guest accounts and members of other workspaces cannot use this bot here. Ask a workspace admin of the team that runs it if you need access.";

    public const string NotVerified =
        "Your account could not be checked with Slack just now, so nothing was looked up or changed. Please try again in a minute.";

    public const string Replayed = "This request was already handled once; it was not run again.";
}
