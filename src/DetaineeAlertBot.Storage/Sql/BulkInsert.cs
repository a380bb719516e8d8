namespace DetaineeAlertBot.Storage.Sql;

/// <summary>BulkInsert describes a row-at-a-time INSERT that a dialect may run in bulk: SQLite reuses one prepared
/// command per row, Postgres sends multi-row VALUES. <paramref name="Suffix"/> (ON CONFLICT …, RETURNING …) must
/// not contain parameters.</summary>
internal sealed record BulkInsert(string Table, IReadOnlyList<string> Columns, string? Suffix = null);
