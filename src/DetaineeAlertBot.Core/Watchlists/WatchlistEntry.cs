namespace DetaineeAlertBot.Core.Watchlists;

/// <summary>WatchlistEntry binds one case to one chat channel, with who added it and when.</summary>
/// <param name="Platform">"discord", "slack" or "console" (see <see cref="Platforms"/>).</param>
/// <param name="CaseSource">The case's source. <see cref="AnySource"/> only in rows stored by earlier versions, which
/// match nothing until bound to a source at start.</param>
public sealed record WatchlistEntry(
    string Platform,
    string ChannelId,
    string CaseSource,
    string CaseId,
    string AddedBy,
    DateTimeOffset AddedAt)
{
    /// <summary>How earlier versions stored a seeded bare id ("any source"). Never matched any more: such an entry would
    /// also match a source created later (a push source) and so let forged cases through.</summary>
    public const string AnySource = "*";

    public bool Matches(string source, string id) => CaseId == id && CaseSource == source;
}

/// <summary>The platform names used in watchlists, outbox rows and sinks.</summary>
public static class Platforms
{
    public const string Discord = "discord";
    public const string Slack = "slack";
    public const string Console = "console";

    public static IReadOnlyList<string> All { get; } = [Discord, Slack, Console];

    public static bool IsKnown(string? platform) => platform is Discord or Slack or Console;
}

/// <summary>Result of adding a watch.</summary>
public enum WatchAddResult
{
    Added,
    AlreadyWatched,
}
