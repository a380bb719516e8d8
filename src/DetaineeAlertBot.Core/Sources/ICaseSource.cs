namespace DetaineeAlertBot.Core.Sources;

/// <summary>ICaseSource delivers feed documents of one named source. A host loop calls FetchAsync, syncs what it
/// returns, then WaitForNextAsync; one loop per source, so a slow source never stalls another and one source is
/// never fetched twice at once.</summary>
public interface ICaseSource
{
    /// <summary>The source name cases are stored under (config Sources:N:Name).</summary>
    string Name { get; }

    /// <summary>Where documents come from, for logs and /healthz (a path or a URL without credentials).</summary>
    string Location { get; }

    /// <summary>Fetches the current document; NotModified when the source says nothing changed. Throws on failure
    /// (the loop backs off and retries).</summary>
    Task<SourceFetch> FetchAsync(CancellationToken cancellationToken);

    /// <summary>Forgets what was fetched last (content hash, ETag), so the next fetch returns the whole document:
    /// called when the last document could not be applied (e.g. the database was down).</summary>
    void ForgetVersion();

    /// <summary>Returns when the next fetch is due: a file change or the poll interval.</summary>
    Task WaitForNextAsync(CancellationToken cancellationToken);
}

/// <summary>A fetched document, or word that nothing changed since the last fetch.</summary>
public sealed record SourceFetch(ReadOnlyMemory<byte>? Document)
{
    public static SourceFetch NotModified { get; } = new((ReadOnlyMemory<byte>?)null);

    public bool IsModified => Document is not null;
}

/// <summary>Thrown by a source when a document is larger than its configured limit; nothing is parsed.</summary>
public sealed class SourceDocumentTooLargeException(string message) : Exception(message);
