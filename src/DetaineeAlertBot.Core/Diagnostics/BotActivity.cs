using System.Diagnostics;

namespace DetaineeAlertBot.Core.Diagnostics;

/// <summary>The bot's traces: one "sync" activity per feed document (a child per pipeline stage) and one "deliver"
/// activity per alert sent (tagged with its delivery id), so a trace shows where a change's time went.</summary>
public static class BotActivity
{
    public const string SourceName = "DetaineeAlertBot";

    public static ActivitySource Source { get; } = new(SourceName);
}
