using System.Collections.Concurrent;

namespace DetaineeAlertBot.Core.Health;

/// <summary>HealthRegistry collects the last known state of each long-running component (a source, a gateway,
/// the dispatcher) so /healthz can report them without calling into them.</summary>
public sealed class HealthRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ComponentHealth> _components = new(StringComparer.Ordinal);

    /// <summary>Records the current state of a component; a healthy report keeps the last error for context.</summary>
    public void Report(string component, bool healthy, string detail)
    {
        var now = time.GetUtcNow();
        _components.AddOrUpdate(
            component,
            _ => new ComponentHealth(component, healthy, detail, now, healthy ? now : null, healthy ? null : now, healthy ? null : detail),
            (_, previous) => healthy
                ? previous with { Healthy = true, Detail = detail, ReportedAt = now, LastSuccessAt = now }
                : previous with { Healthy = false, Detail = detail, ReportedAt = now, LastErrorAt = now, LastError = detail });
    }

    public IReadOnlyList<ComponentHealth> Snapshot() => _components.Values.OrderBy(c => c.Component, StringComparer.Ordinal).ToArray();
}

public sealed record ComponentHealth(
    string Component,
    bool Healthy,
    string Detail,
    DateTimeOffset ReportedAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastErrorAt,
    string? LastError);
