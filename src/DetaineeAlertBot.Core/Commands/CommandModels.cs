namespace DetaineeAlertBot.Core.Commands;

/// <summary>A command as the adapters parsed it: "/case lookup amir" is ("case", "lookup", "amir").</summary>
public sealed record CommandRequest(string Command, string Subcommand, string? Query);

/// <summary>Who asked, and where. Adapters compute IsAdmin from their platform's rules; commands only read it.</summary>
/// <param name="Platform">"discord", "slack" or "console".</param>
/// <param name="UserName">A display name for audit lines, if the platform gave one.</param>
public sealed record CommandContext(string Platform, string ChannelId, string UserId, string? UserName, bool IsAdmin)
{
    /// <summary>How the audit trail names the user: "name (id)" or just the id.</summary>
    public string Actor => string.IsNullOrWhiteSpace(UserName) ? UserId : $"{UserName} ({UserId})";
}

/// <summary>A platform-neutral reply: adapters render Title + Text (+ Fields where the platform has them).
/// Text is plain: adapters escape it for their markup.</summary>
public sealed record CommandReply(string? Title, IReadOnlyList<ReplyField> Fields, string Text, bool Ephemeral, ReplyTone Tone)
{
    public static CommandReply Info(string? title, string text, bool ephemeral = true) => new(title, [], text, ephemeral, ReplyTone.Info);

    public static CommandReply Success(string? title, string text, bool ephemeral = true) => new(title, [], text, ephemeral, ReplyTone.Success);

    public static CommandReply Refusal(string text) => new(null, [], text, true, ReplyTone.Refusal);

    public static CommandReply Error(string text) => new(null, [], text, true, ReplyTone.Error);

    /// <summary>Everything as plain lines, for consoles, logs and text-only platforms.</summary>
    public string ToPlainText()
    {
        var lines = new List<string>();
        if (!string.IsNullOrEmpty(Title)) lines.Add(Title);
        lines.AddRange(Fields.Select(f => $"{f.Name}: {f.Value}"));
        if (!string.IsNullOrEmpty(Text)) lines.Add(Text);
        return string.Join('\n', lines);
    }
}

public sealed record ReplyField(string Name, string Value, bool Inline = true);

/// <summary>What kind of answer this is, so adapters can colour or prefix it.</summary>
public enum ReplyTone
{
    Info,
    Success,
    Refusal,
    Error,
}

/// <summary>An autocomplete choice: Label is shown (<= 100 chars), Value is what the query becomes ("source:id").</summary>
public sealed record CaseChoice(string Label, string Value);
