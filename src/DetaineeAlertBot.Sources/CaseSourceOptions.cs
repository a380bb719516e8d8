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
    /// <summary>The shortest accepted interval, for every type.</summary>
    public static readonly TimeSpan MinimumPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Below this an Http source still starts, with a warning: polling someone else's server faster is rude.</summary>
    public static readonly TimeSpan PoliteHttpPollInterval = TimeSpan.FromSeconds(5);

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
            else if (uri.Fragment.Length > 0)
            {
                yield return $"{key}:Url has a '#' fragment, which is never sent to the server: remove it.";
            }
        }
        if (PollInterval is { } interval && interval < MinimumPollInterval)
        {
            yield return $"{key}:PollInterval {interval} is shorter than {MinimumPollInterval}: use at least 00:00:01 (Http feeds: 00:00:05 or more).";
        }
        if (Timeout <= TimeSpan.Zero) yield return $"{key}:Timeout must be positive, e.g. 00:00:30.";
        if (MaxDocumentBytes <= 0) yield return $"{key}:MaxDocumentBytes must be positive (bytes).";
    }

    /// <summary>Settings that work but are probably a mistake, each naming the key; logged once at start.</summary>
    public IEnumerable<string> Warnings(int index)
    {
        if (IsHttp && PollInterval is { } interval && interval >= MinimumPollInterval && interval < PoliteHttpPollInterval)
        {
            yield return $"Sources:{index}:PollInterval {interval} polls {SourceHttp.DisplayUrl(Url ?? "")} more often than every {PoliteHttpPollInterval.TotalSeconds:0} s: "
                + "fine for your own server, but ask the feed's operator before polling theirs this fast.";
        }
    }
}
