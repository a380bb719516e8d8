using System.Security.Cryptography;
using DetaineeAlertBot.Core.Sources;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Sources;

/// <summary>FileCaseSource reads a feed document from a local file and reacts to edits within about a second: a
/// FileSystemWatcher on the folder (so editors that save by writing a new file and renaming it over the old one are
/// seen too) plus a size/timestamp poll as a fallback for file systems that drop watcher events.</summary>
public sealed class FileCaseSource : ICaseSource, IDisposable
{
    // Editors write a file in several steps; wait this long after the last event before reading.
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(150);
    private const int ReadAttempts = 5;

    /// <summary>100 ms, 200 ms, 400 ms …: an editor or exporter still holding the file finishes within a second.</summary>
    private static readonly Resilience.Backoff SaveInProgressBackoff = new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    private readonly CaseSourceOptions _options;
    private readonly string _fullPath;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changed = new(0, 1);
    private readonly FileSystemWatcher? _watcher;
    private byte[]? _lastHash;
    private (DateTime WrittenAt, long Length)? _lastStat;

    public FileCaseSource(CaseSourceOptions options, TimeProvider time, ILogger logger)
    {
        _options = options;
        _fullPath = System.IO.Path.GetFullPath(options.Path!);
        _time = time;
        _logger = logger;
        var directory = System.IO.Path.GetDirectoryName(_fullPath)!;
        if (Directory.Exists(directory))
        {
            _watcher = new FileSystemWatcher(directory, System.IO.Path.GetFileName(_fullPath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += (_, _) => Signal();
            _watcher.Created += (_, _) => Signal();
            _watcher.Renamed += (_, _) => Signal();
            _watcher.Deleted += (_, _) => Signal();
            _watcher.Error += (_, e) => _logger.LogWarning(e.GetException(), "File watcher for {Path} failed; relying on polling", _fullPath);
            _watcher.EnableRaisingEvents = true;
        }
    }

    public string Name => _options.Name;

    public string Location => _fullPath;

    public async Task<SourceFetch> FetchAsync(CancellationToken cancellationToken)
    {
        var bytes = await ReadWithRetryAsync(cancellationToken).ConfigureAwait(false);
        var hash = SHA256.HashData(bytes);
        if (_lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash)) return SourceFetch.NotModified;
        _lastHash = hash;
        return new SourceFetch(bytes);
    }

    public void ForgetVersion() => _lastHash = null;

    public async Task WaitForNextAsync(CancellationToken cancellationToken)
    {
        var interval = _options.EffectivePollInterval;
        while (true)
        {
            if (await _changed.WaitAsync(interval, cancellationToken).ConfigureAwait(false))
            {
                // Let a burst of watcher events from one save settle, then drain the signal it left.
                await Task.Delay(Debounce, _time, cancellationToken).ConfigureAwait(false);
                _changed.Wait(0, CancellationToken.None);
                return;
            }
            if (StatChanged()) return;
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _changed.Dispose();
    }

    private bool StatChanged()
    {
        var stat = Stat();
        return stat != _lastStat;
    }

    private (DateTime, long)? Stat()
    {
        var info = new FileInfo(_fullPath);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : null;
    }

    private async Task<byte[]> ReadWithRetryAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var stat = Stat();
                if (stat is null) throw new FileNotFoundException($"The feed file {_fullPath} does not exist: check Sources:N:Path.", _fullPath);
                if (stat.Value.Item2 > _options.MaxDocumentBytes)
                {
                    throw new SourceDocumentTooLargeException(
                        $"{_fullPath} is {stat.Value.Item2:N0} bytes, over the {_options.MaxDocumentBytes:N0}-byte limit; nothing was read (raise Sources:N:MaxDocumentBytes if this is expected).");
                }
                var bytes = await File.ReadAllBytesAsync(_fullPath, cancellationToken).ConfigureAwait(false);
                _lastStat = stat;
                return bytes;
            }
            catch (IOException ex) when (attempt < ReadAttempts && ex is not FileNotFoundException)
            {
                // Another process may still hold the file mid-save; try again shortly (bounded).
                await SaveInProgressBackoff.WaitAsync(attempt, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Signal()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A change is already pending.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }
}
