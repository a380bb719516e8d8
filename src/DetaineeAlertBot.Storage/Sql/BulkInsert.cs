namespace DetaineeAlertBot.Storage.Sql;

/// <summary>BulkInsert describes an INSERT of many rows, run by <see cref="SqlDialect.InsertAsync"/> in the dialect's
/// fastest way. <paramref name="Suffix"/> (ON CONFLICT …, RETURNING …) must not contain parameters.</summary>
internal sealed record BulkInsert(string Table, IReadOnlyList<string> Columns, string? Suffix = null);
