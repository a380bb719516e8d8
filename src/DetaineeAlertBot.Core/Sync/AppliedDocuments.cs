using System.Collections.Concurrent;

namespace DetaineeAlertBot.Core.Sync;

/// <summary>AppliedDocuments remembers the SHA-256 of the last document applied per source: a byte-identical document
/// (a re-push, a poll of a server without ETags) cannot change anything, so the pipeline skips it. In memory only; a
/// restart diffs once.</summary>
public sealed class AppliedDocuments
{
    private readonly ConcurrentDictionary<string, byte[]> _last = new(StringComparer.Ordinal);

    public bool IsLastApplied(string source, byte[] hash) =>
        _last.TryGetValue(source, out var last) && hash.AsSpan().SequenceEqual(last);

    public void Remember(string source, byte[] hash) => _last[source] = hash;

    /// <summary>The next document of <paramref name="source"/> is diffed even when byte-identical: the source's cases
    /// changed since it was applied here (another instance on a shared database, or an apply that did not finish).</summary>
    public void Forget(string source) => _last.TryRemove(source, out _);
}
