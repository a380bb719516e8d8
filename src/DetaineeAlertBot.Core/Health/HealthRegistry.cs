using System.Collections.Concurrent;

namespace DetaineeAlertBot.Core.Health;

/// <summary>How a component is doing. Degraded: it works, but someone should look (answered 200 with the word).</summary>
public enum HealthState
{
    Healthy,
    Degraded,
    Unhealthy,
}

/// <summary>HealthRegistry collects the last known state of each long-running component (a source, a gateway,
/// the dispatcher) as the component reports it, so the host's health checks (one per component) answer /healthz
/// without calling into them.</summary>
public sealed class HealthRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, ComponentHealth> _components = new(StringComparer.Ordinal);

    /// <summary>Records the current state of a component; a healthy report keeps the last error for context.</summary>
    public void Report(string component, bool healthy, string detail) =>
        Report(component, healthy ? HealthState.Healthy : HealthState.Unhealthy, detail);

    public void Report(string component, HealthState state, string detail)
    {
        var now = time.GetUtcNow();
        var healthy = state == HealthState.Healthy;
        _components.AddOrUpdate(
            component,
            _ => new ComponentHealth(component, state, detail, now, healthy ? now : null, healthy ? null : now, healthy ? null : detail),
            (_, previous) => healthy
                ? previous with { State = state, Detail = detail, ReportedAt = now, LastSuccessAt = now }
                : previous with { State = state, Detail = detail, ReportedAt = now, LastErrorAt = now, LastError = detail });
    }

    /// <summary>Forgets a component that no longer exists (e.g. a problem that was resolved and has nothing left to say).</summary>
    public void Remove(string component) => _components.TryRemove(component, out _);

    /// <summary>The last report of one component; null while it has not reported.</summary>
    public ComponentHealth? Get(string component) => _components.TryGetValue(component, out var health) ? health : null;

    public IReadOnlyList<ComponentHealth> Snapshot() => _components.Values.OrderBy(c => c.Component, StringComparer.Ordinal).ToArray();
}

public sealed record ComponentHealth(
    string Component,
    HealthState State,
    string Detail,
    DateTimeOffset ReportedAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastErrorAt,
    string? LastError)
{
    public bool Healthy => State == HealthState.Healthy;
}
