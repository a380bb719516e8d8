namespace DetaineeAlertBot.Core.Cases;

/// <summary>CaseStatus is the contract's status vocabulary (see shared/docs/contract.md, "Case feed document").</summary>
public enum CaseStatus
{
    Unknown = 0,
    Missing,
    Detained,
    Charged,
    OnTrial,
    Convicted,
    Sentenced,
    Acquitted,
    Released,
    Transferred,
    Deceased,
}

/// <summary>How a status reads on the wire, to people, and in colour.</summary>
public static class CaseStatuses
{
    private static readonly (CaseStatus Status, string Wire, string Display)[] Table =
    [
        (CaseStatus.Missing, "missing", "Missing"),
        (CaseStatus.Detained, "detained", "Detained"),
        (CaseStatus.Charged, "charged", "Charged"),
        (CaseStatus.OnTrial, "on_trial", "On trial"),
        (CaseStatus.Convicted, "convicted", "Convicted"),
        (CaseStatus.Sentenced, "sentenced", "Sentenced"),
        (CaseStatus.Acquitted, "acquitted", "Acquitted"),
        (CaseStatus.Released, "released", "Released"),
        (CaseStatus.Transferred, "transferred", "Transferred"),
        (CaseStatus.Deceased, "deceased", "Deceased"),
        (CaseStatus.Unknown, "unknown", "Unknown"),
    ];

    /// <summary>The allowed wire values, in the contract's order, for error messages.</summary>
    public static string AllowedValues { get; } = string.Join("|", Table.Select(t => t.Wire));

    public static IReadOnlyList<CaseStatus> All { get; } = Table.Select(t => t.Status).ToArray();

    public static string ToWire(this CaseStatus status) => Find(status).Wire;

    public static string ToDisplay(this CaseStatus status) => Find(status).Display;

    /// <summary>Parses a wire value; accepts case and separator variants ("On trial", "on-trial").</summary>
    public static bool TryParse(string? value, out CaseStatus status)
    {
        status = CaseStatus.Unknown;
        if (string.IsNullOrWhiteSpace(value)) return false;
        var normalized = value.Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
        foreach (var row in Table)
        {
            if (row.Wire == normalized)
            {
                status = row.Status;
                return true;
            }
        }
        return false;
    }

    /// <summary>Meaning of a status, which drives alert colour: danger, in process, good outcome, unknown.</summary>
    public static StatusTone Tone(this CaseStatus status) => status switch
    {
        CaseStatus.Detained or CaseStatus.Missing or CaseStatus.Deceased => StatusTone.Danger,
        CaseStatus.Charged or CaseStatus.OnTrial or CaseStatus.Convicted or CaseStatus.Sentenced or CaseStatus.Transferred => StatusTone.Warning,
        CaseStatus.Released or CaseStatus.Acquitted => StatusTone.Good,
        _ => StatusTone.Neutral,
    };

    private static (CaseStatus Status, string Wire, string Display) Find(CaseStatus status)
    {
        foreach (var row in Table)
        {
            if (row.Status == status) return row;
        }
        throw new ArgumentOutOfRangeException(nameof(status), status, "Not a contract status.");
    }
}

/// <summary>Colour family of a status (product.md: red, amber, green, grey).</summary>
public enum StatusTone
{
    Neutral,
    Danger,
    Warning,
    Good,
}
