using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Changes;

/// <summary>What an incoming record means against what we stored. Only StatusChanged alerts.</summary>
public enum ChangeKind
{
    Unchanged,
    FirstSeen,
    StatusChanged,
    DetailsChanged,
}

/// <summary>ChangeDetector compares a stored case with an incoming record of the same (source, id).</summary>
public static class ChangeDetector
{
    public static ChangeKind Compare(StoredCase? stored, CaseRecord incoming)
    {
        if (stored is null) return ChangeKind.FirstSeen;
        if (ReferenceEquals(stored.Case, incoming)) return ChangeKind.Unchanged; // the parser reused the stored record
        if (stored.Case.Status != incoming.Status) return ChangeKind.StatusChanged;
        return stored.Case.SameAs(incoming) ? ChangeKind.Unchanged : ChangeKind.DetailsChanged;
    }
}
