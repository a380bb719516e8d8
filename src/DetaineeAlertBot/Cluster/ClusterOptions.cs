namespace DetaineeAlertBot.Cluster;

/// <summary>Cluster:* — several instances on one PostgreSQL database (see README, "Running several instances").</summary>
public sealed class ClusterOptions : Hosting.IValidatableOptions
{
    public const string SectionName = "Cluster";

    /// <summary>How often a follower tries to take the lead and the leader confirms it still holds it. A dead leader
    /// is replaced within about this long (a vanished one within the server's ~11 s keepalive).</summary>
    public TimeSpan LeaderCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claimed outbox row is protected from other dispatchers; a row a dead leader was sending is
    /// sent again by the new leader once this has passed. Each send is bounded by half of it (at most 60 s).</summary>
    public TimeSpan DeliveryLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often an instance reads the cases other instances changed, so lookups and diffs everywhere are current.</summary>
    public TimeSpan CatalogRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    public IEnumerable<string> Validate()
    {
        if (LeaderCheckInterval < TimeSpan.FromMilliseconds(200) || LeaderCheckInterval > TimeSpan.FromSeconds(5))
            yield return $"Cluster:LeaderCheckInterval '{LeaderCheckInterval}' is out of range: use 00:00:00.2 to 00:00:05 (failover takes about this long).";
        if (DeliveryLease < TimeSpan.FromSeconds(5) || DeliveryLease > TimeSpan.FromHours(1))
            yield return $"Cluster:DeliveryLease '{DeliveryLease}' is out of range: use 00:00:05 to 01:00:00 (default 00:02:00).";
        if (CatalogRefreshInterval < TimeSpan.FromMilliseconds(200) || CatalogRefreshInterval > TimeSpan.FromMinutes(10))
            yield return $"Cluster:CatalogRefreshInterval '{CatalogRefreshInterval}' is out of range: use 00:00:00.2 to 00:10:00.";
    }
}
