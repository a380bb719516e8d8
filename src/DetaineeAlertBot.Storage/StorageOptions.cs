namespace DetaineeAlertBot.Storage;

/// <summary>StorageOptions selects the database (configuration section "Storage", see the contract's keys).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";
    public const string DefaultConnectionString = "Data Source=data/detainee-alert-bot.db";

    /// <summary>"Sqlite" (default) or "Postgres", case-insensitive.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>ADO.NET connection string of the chosen provider.</summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;
}
