using System.Data.Common;

namespace DetaineeAlertBot.Storage.Sql;

/// <summary>Small helpers so the stores read as SQL plus parameters.</summary>
internal static class DbCommandExtensions
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        // The SQLite writer's connection keeps each statement compiled; any other connection makes a new command.
        var command = SqliteWriter.CachedCommand(connection, sql);
        if (command is null)
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
        }
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
