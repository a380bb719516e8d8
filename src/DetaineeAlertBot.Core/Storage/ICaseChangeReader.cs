using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Storage;

/// <summary>ICaseChangeReader lets an instance catch up with what other instances wrote to a shared database,
/// without reloading everything: cases with status history newer than a mark (new cases and status changes), and
/// every source's state (which sources are baselined).</summary>
public interface ICaseChangeReader
{
    /// <summary>The newest status history id, or 0 when there is none (or no schema yet).</summary>
    Task<long> GetHistoryMarkAsync(CancellationToken cancellationToken);

    /// <summary>Cases with a history row whose id is above <paramref name="afterHistoryId"/>, as stored now, the mark
    /// to continue from, and every source's state.</summary>
    Task<CaseChanges> ReadChangesAsync(long afterHistoryId, CancellationToken cancellationToken);
}

public sealed record CaseChanges(long HistoryMark, IReadOnlyList<StoredCase> Cases, IReadOnlyList<SourceState> Sources);
