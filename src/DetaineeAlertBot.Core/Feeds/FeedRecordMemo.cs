using System.Collections.Concurrent;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Feeds;

/// <summary>FeedRecordMemo remembers, per source, each valid record of the last document parsed: its exact bytes and
/// the record they parsed to. Reading a record is a pure function of its bytes, so a record whose bytes are found again
/// (at any position) is that record again, without reading its fields: a pushed feed of a few hundred cases in which
/// one changed costs the parse of one record. Only documents up to <see cref="MaxDocumentBytes"/> are remembered, which
/// bounds the memory to about twice that per source; larger ones use the parser's stored-record comparison alone.
/// Rejected records are never remembered: they are read (and reported) every time.</summary>
public sealed class FeedRecordMemo
{
    public const int MaxDocumentBytes = 1 << 20;

    private readonly ConcurrentDictionary<string, Snapshot> _sources = new(StringComparer.Ordinal);

    internal Snapshot? Of(string source) => _sources.GetValueOrDefault(source);

    internal void Remember(string source, Snapshot? snapshot)
    {
        if (snapshot is null) _sources.TryRemove(source, out _);
        else _sources[source] = snapshot;
    }

    /// <summary>Forgets a source's records (its cases were reloaded from elsewhere, or it was removed).</summary>
    public void Forget(string source) => _sources.TryRemove(source, out _);

    /// <summary>The valid records of one document: their bytes end to end, and where each starts.</summary>
    internal sealed class Snapshot
    {
        private readonly byte[] _bytes;
        private readonly Dictionary<int, (int Start, int Length, CaseRecord Record)> _byHash;

        private Snapshot(byte[] bytes, Dictionary<int, (int, int, CaseRecord)> byHash) => (_bytes, _byHash) = (bytes, byHash);

        public CaseRecord? Find(ReadOnlySpan<byte> raw, int hash)
        {
            if (!_byHash.TryGetValue(hash, out var entry)) return null;
            return raw.SequenceEqual(_bytes.AsSpan(entry.Start, entry.Length)) ? entry.Record : null;
        }

        internal static int Hash(ReadOnlySpan<byte> raw)
        {
            var hash = new HashCode();
            hash.AddBytes(raw);
            return hash.ToHashCode();
        }

        public sealed class Builder(int capacityBytes, int records)
        {
            private readonly byte[] _bytes = new byte[capacityBytes];
            private readonly Dictionary<int, (int, int, CaseRecord)> _byHash = new(records);
            private int _used;

            public void Add(ReadOnlySpan<byte> raw, int hash, CaseRecord record)
            {
                // Same hash for different bytes: the first keeps the slot; the other is read in full next time.
                if (_used + raw.Length > _bytes.Length || !_byHash.TryAdd(hash, (_used, raw.Length, record))) return;
                raw.CopyTo(_bytes.AsSpan(_used));
                _used += raw.Length;
            }

            // The buffer is kept as it is (sized to the document): copying it down to the used part would be a second copy per parse.
            public Snapshot Build() => new(_bytes, _byHash);
        }
    }
}
