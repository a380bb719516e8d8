namespace DetaineeAlertBot.Core.Cases;

/// <summary>CaseRecord is one tracked person as a source describes them.</summary>
public sealed record CaseRecord
{
    public required string Source { get; init; }
    public required string Id { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public required CaseStatus Status { get; init; }
    public DateOnly? StatusSince { get; init; }
    public string? Nationality { get; init; }
    public string? Country { get; init; }
    public string? HeldBy { get; init; }
    public string? Location { get; init; }
    public string? Summary { get; init; }
    public string? SourceUrl { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public CaseKey Key => new(Source, Id);

    /// <summary>True when every field matches; aliases compare in order (a reorder is a detail change).</summary>
    public bool SameAs(CaseRecord other) =>
        Source == other.Source && Id == other.Id && Name == other.Name && Status == other.Status
        && StatusSince == other.StatusSince && Nationality == other.Nationality && Country == other.Country
        && HeldBy == other.HeldBy && Location == other.Location && Summary == other.Summary
        && SourceUrl == other.SourceUrl && UpdatedAt == other.UpdatedAt && Aliases.SequenceEqual(other.Aliases);
}

/// <summary>StoredCase is a case as we keep it: the last record plus when we first and last saw it.</summary>
/// <param name="NotSeenSince">Set when a later document of the same source no longer listed the case
/// (we never infer "released" from absence); null while the source still lists it.</param>
/// <param name="FeedStatus">While a status set by hand (source <c>manual</c>, /case update) stands: the status the case's
/// feed last gave. A feed document that still says that keeps the manual status; one that says something else wins.
/// Null when the status is the feed's own.</param>
public sealed record StoredCase(CaseRecord Case, DateTimeOffset FirstSeenAt, DateTimeOffset? NotSeenSince, CaseStatus? FeedStatus = null);

/// <summary>Who set a status by hand, from where, and why: "set by Dana on Slack: freed this morning https://…".</summary>
/// <param name="Platform">"discord" or "slack".</param>
public sealed record ManualEdit(string SetBy, string Platform, string? Note, string? Link)
{
    /// <summary>The history's name for a change made by hand.</summary>
    public const string Source = "manual";
}

/// <summary>One row of a case's status timeline. OldStatus is null for the first observation.</summary>
/// <param name="Manual">Set for a change made by hand (then <see cref="Source"/> is "manual").</param>
public sealed record StatusHistoryEntry(
    CaseKey Key,
    CaseStatus? OldStatus,
    CaseStatus NewStatus,
    DateOnly? StatusSince,
    DateTimeOffset ObservedAt,
    string Source,
    ManualEdit? Manual = null);

/// <summary>What we remember about a source between syncs.</summary>
public sealed record SourceState(string Name, DateTimeOffset BaselinedAt, DateTimeOffset LastSyncAt);
