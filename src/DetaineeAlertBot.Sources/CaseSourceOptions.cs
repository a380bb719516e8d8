namespace DetaineeAlertBot.Sources;

/// <summary>One entry of the contract's <c>Sources</c> array (Sources:N:Name, Type, Path, Url, PollInterval).</summary>
public sealed class CaseSourceOptions
{
    public string Name { get; set; } = "";

    /// <summary>"File" or "Http".</summary>
    public string Type { get; set; } = "";

    /// <summary>File sources: path to the feed document, relative to the working directory or absolute.</summary>
    public string? Path { get; set; }

    /// <summary>Http sources: the feed URL.</summary>
    public string? Url { get; set; }

    /// <summary>Http: time between polls. File: the polling fallback next to the file watcher.</summary>
    public TimeSpan? PollInterval { get; set; }

    /// <summary>Http: how long one request may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Documents larger than this are refused unparsed (protects memory from a runaway feed).</summary>
    public long MaxDocumentBytes { get; set; } = 64L * 1024 * 1024;

    public static readonly TimeSpan DefaultFilePollInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultHttpPollInterval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MinimumHttpPollInterval = TimeSpan.FromSeconds(5);

    public TimeSpan EffectivePollInterval => PollInterval ?? (IsHttp ? DefaultHttpPollInterval : DefaultFilePollInterval);

    public bool IsFile => string.Equals(Type, "File", StringComparison.OrdinalIgnoreCase);

    public bool IsHttp => string.Equals(Type, "Http", StringComparison.OrdinalIgnoreCase);

    /// <summary>Problems with this entry, each naming the key and the fix; empty when valid.</summary>
    public IEnumerable<string> Validate(int index)
    {
        var key = $"Sources:{index}";
        if (string.IsNullOrWhiteSpace(Name)) yield return $"{key}:Name is empty: give each source a short unique name, e.g. \"state-dept-feed\".";
        else if (Name.Contains(':')) yield return $"{key}:Name '{Name}' contains ':', which separates source and id in case keys: choose a name without ':'.";
        if (!IsFile && !IsHttp) yield return $"{key}:Type '{Type}' is not supported: use \"File\" or \"Http\".";
        if (IsFile && string.IsNullOrWhiteSpace(Path)) yield return $"{key}:Path is empty: set it to the feed file, e.g. config/cases.sample.json.";
        if (IsHttp)
        {
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return $"{key}:Url '{Url}' is not an absolute http(s) URL: set it to the feed's address.";
            }
            if (PollInterval is { } interval && interval < MinimumHttpPollInterval)
            {
                yield return $"{key}:PollInterval {interval} is shorter than {MinimumHttpPollInterval}: use at least 00:00:05 so the feed's server is not hammered.";
            }
        }
        if (PollInterval is { } any && any <= TimeSpan.Zero) yield return $"{key}:PollInterval must be positive, e.g. 00:05:00.";
        if (Timeout <= TimeSpan.Zero) yield return $"{key}:Timeout must be positive, e.g. 00:00:30.";
        if (MaxDocumentBytes <= 0) yield return $"{key}:MaxDocumentBytes must be positive (bytes).";
    }
}
