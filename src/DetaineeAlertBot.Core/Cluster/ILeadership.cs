namespace DetaineeAlertBot.Core.Cluster;

/// <summary>ILeadership says whether this instance is the one that sends: of several instances on one database,
/// exactly one at a time runs the source pollers, the outbox dispatcher and the chat connections (chat rate limits
/// belong to the bot token, so one sender is the right shape). Every instance serves the HTTP endpoints.</summary>
public interface ILeadership
{
    /// <summary>Names this instance in logs, /healthz and the lease owner.</summary>
    string InstanceId { get; }

    bool IsLeader { get; }

    /// <summary>One line for /healthz: leader since when, or who to wait for, or why the lead cannot be checked.</summary>
    string Detail { get; }

    /// <summary>Completes once this instance holds the lead, with a token that is cancelled the moment the lead is
    /// lost (the database connection that holds it broke, or it could not be confirmed in time).</summary>
    Task<CancellationToken> WaitForLeadAsync(CancellationToken cancellationToken);

    /// <summary>Raised with the new state each time this instance gains or loses the lead.</summary>
    event Action<bool>? Changed;
}

/// <summary>SingleInstanceLeadership: the lead of a database only one process may open (SQLite). Always leader.</summary>
public sealed class SingleInstanceLeadership : ILeadership
{
    public string InstanceId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    public bool IsLeader => true;

    public string Detail => "single instance (SQLite): always the leader";

    public Task<CancellationToken> WaitForLeadAsync(CancellationToken cancellationToken) => Task.FromResult(CancellationToken.None);

    public event Action<bool>? Changed
    {
        add { }
        remove { }
    }
}
