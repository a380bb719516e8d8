using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DetaineeAlertBot.Storage.Sql;

/// <summary>SqlDialect is everything that differs between SQLite and Postgres: connections, value encodings, the
/// few SQL fragments that are not portable, bulk inserts, and naming provider errors. Every other statement is
/// written once, in the stores.</summary>
internal abstract class SqlDialect : IAsyncDisposable
{
    /// <summary>"Sqlite" or "Postgres": also the folder of the provider's migration scripts.</summary>
    public abstract string Provider { get; }

    /// <summary>An open connection, ready for commands (per-connection settings applied).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>A transaction that holds the write lock from its first statement (SQLite BEGIN IMMEDIATE), so a
    /// read-then-write inside it cannot be overtaken by another writer.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Serialises concurrent migrators across processes for the rest of the transaction.</summary>
    public abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    public abstract object Timestamp(DateTimeOffset value);

    public object TimestampOrNull(DateTimeOffset? value) => value is { } v ? Timestamp(v) : DBNull.Value;

    public abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    public DateTimeOffset? ReadTimestampOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadTimestamp(reader, ordinal);

    public abstract object Date(DateOnly value);

    public object DateOrNull(DateOnly? value) => value is { } v ? Date(v) : DBNull.Value;

    public abstract DateOnly ReadDate(DbDataReader reader, int ordinal);

    public DateOnly? ReadDateOrNull(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ReadDate(reader, ordinal);

    /// <summary>"column IN list" where the list is one parameter made by <see cref="ListValue"/>
    /// (SQLite: json_each over a JSON array; Postgres: = ANY over a text[]).</summary>
    public abstract string InList(string column, string parameterName);

    public abstract object ListValue(IReadOnlyCollection<string> values);

    /// <summary>Row locks for read-then-write in one transaction; empty in SQLite, whose write transaction already
    /// excludes other writers.</summary>
    public abstract string ForUpdate { get; }

    /// <summary>Row locks that let concurrent claimers pass each other; empty in SQLite (see <see cref="ForUpdate"/>).</summary>
    public abstract string ForUpdateSkipLocked { get; }

    /// <summary>Inserts <paramref name="rows"/> (values encoded by this dialect, in column order) and hands each
    /// RETURNING row to <paramref name="onReturned"/>. Returns the number of rows inserted or updated.</summary>
    /// <remarks>The rows travel as ONE parameter per chunk, a JSON array of objects keyed by column name, which
    /// the database unpacks itself (<see cref="JsonRowsSelect"/>). Binding a parameter per value costs more than
    /// the insert itself at 100,000 rows (a name lookup per value in Microsoft.Data.Sqlite, a huge bind message
    /// in Postgres). Callers must not repeat a conflict key within one call (ON CONFLICT DO UPDATE cannot touch a
    /// row twice).</remarks>
    public virtual async Task<int> InsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        BulkInsert statement,
        IReadOnlyList<object?[]> rows,
        Action<DbDataReader>? onReturned,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0) return 0;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            $"INSERT INTO {statement.Table} ({string.Join(", ", statement.Columns)}) {JsonRowsSelect(statement, "@rows")} {statement.Suffix}";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@rows";
        command.Parameters.Add(parameter);
        var affected = 0;
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - start);
            buffer.ResetWrittenCount();
            WriteJsonRows(buffer, statement.Columns, rows, start, count);
            parameter.Value = Encoding.UTF8.GetString(buffer.WrittenSpan);
            if (onReturned is null)
            {
                affected += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                onReturned(reader);
                affected++;
            }
        }
        return affected;
    }

    /// <summary>Rows per INSERT statement: bounds the JSON text held in memory at once. Tests lower it to cross
    /// chunk boundaries with few rows.</summary>
    internal int RowsPerStatement { get; set; } = 10_000;

    /// <summary>"SELECT &lt;columns&gt; FROM &lt;rows of the JSON array parameter&gt;", in the statement's column order.</summary>
    protected abstract string JsonRowsSelect(BulkInsert statement, string parameterName);

    private static void WriteJsonRows(IBufferWriter<byte> buffer, IReadOnlyList<string> columns, IReadOnlyList<object?[]> rows, int start, int count)
    {
        using var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartArray();
        for (var r = start; r < start + count; r++)
        {
            var row = rows[r];
            writer.WriteStartObject();
            for (var c = 0; c < columns.Count; c++)
            {
                writer.WritePropertyName(columns[c]);
                switch (row[c])
                {
                    case null or DBNull: writer.WriteNullValue(); break;
                    case string text: writer.WriteStringValue(text); break;
                    case int number: writer.WriteNumberValue(number); break;
                    case long number: writer.WriteNumberValue(number); break;
                    case DateTime time: writer.WriteStringValue(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)); break;
                    case DateOnly date: writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)); break;
                    case var other: throw new NotSupportedException($"Bulk insert cannot encode a {other.GetType().Name} ({columns[c]}).");
                }
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>A <see cref="StorageException"/> for provider errors we can name, else null (rethrow as is).</summary>
    public abstract StorageException? Describe(string operation, Exception exception);

    public abstract ValueTask DisposeAsync();
}
