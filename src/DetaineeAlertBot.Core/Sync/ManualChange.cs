using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>A change made by hand: the case as it should be now, who made it and why.</summary>
/// <param name="IsNew">A new case (/case add) rather than a change of a known one (/case update).</param>
public sealed record ManualChange(CaseRecord Case, ManualEdit Edit, bool IsNew);
