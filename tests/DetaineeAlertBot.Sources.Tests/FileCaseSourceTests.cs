using System.Text;
using DetaineeAlertBot.Core.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace DetaineeAlertBot.Sources.Tests;

public sealed class FileCaseSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("file-source-").FullName;

    private string FeedPath => Path.Combine(_directory, "cases.json");

    private FileCaseSource Source(long maxBytes = 1024 * 1024, TimeSpan? poll = null) =>
        new(new CaseSourceOptions { Name = "file", Type = "File", Path = FeedPath, MaxDocumentBytes = maxBytes, PollInterval = poll }, TimeProvider.System, NullLogger.Instance);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Fetch_SameContentTwice_SecondIsNotModified()
    {
        File.WriteAllText(FeedPath, "[1]");
        using var source = Source();

        var first = await source.FetchAsync(CancellationToken.None);
        var second = await source.FetchAsync(CancellationToken.None);

        Assert.Equal("[1]", Encoding.UTF8.GetString(first.Document!.Value.Span));
        Assert.False(second.IsModified);
    }

    [Fact]
    public async Task Fetch_AfterForgetVersion_ReturnsTheDocumentAgain()
    {
        File.WriteAllText(FeedPath, "[1]");
        using var source = Source();
        await source.FetchAsync(CancellationToken.None);

        source.ForgetVersion();

        Assert.True((await source.FetchAsync(CancellationToken.None)).IsModified);
    }

    [Fact]
    public async Task WaitForNext_InPlaceEdit_ReturnsAndFetchSeesTheEdit()
    {
        File.WriteAllText(FeedPath, "[1]");
        using var source = Source(poll: TimeSpan.FromMinutes(10)); // only the watcher can wake it within the test
        await source.FetchAsync(CancellationToken.None);
        var waiting = source.WaitForNextAsync(CancellationToken.None);

        await File.WriteAllTextAsync(FeedPath, "[2]");

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("[2]", Encoding.UTF8.GetString((await source.FetchAsync(CancellationToken.None)).Document!.Value.Span));
    }

    [Fact]
    public async Task WaitForNext_AtomicReplaceByRename_ReturnsAndFetchSeesTheNewFile()
    {
        File.WriteAllText(FeedPath, "[1]");
        using var source = Source(poll: TimeSpan.FromMinutes(10));
        await source.FetchAsync(CancellationToken.None);
        var waiting = source.WaitForNextAsync(CancellationToken.None);

        // Editors such as vim save to a new file and rename it over the old one.
        File.WriteAllText(FeedPath + ".swp", "[3]");
        File.Move(FeedPath + ".swp", FeedPath, overwrite: true);

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("[3]", Encoding.UTF8.GetString((await source.FetchAsync(CancellationToken.None)).Document!.Value.Span));
    }

    [Fact]
    public async Task WaitForNext_WatcherMissesEvent_PollingFallbackNoticesTheChange()
    {
        // The watcher only watches a folder that exists at start: create it later, so only polling can see the file.
        var late = Path.Combine(_directory, "late", "cases.json");
        using var source = new FileCaseSource(new CaseSourceOptions { Name = "f", Type = "File", Path = late, PollInterval = TimeSpan.FromMilliseconds(100) }, TimeProvider.System, NullLogger.Instance);
        Directory.CreateDirectory(Path.GetDirectoryName(late)!);
        File.WriteAllText(late, "[1]");

        var waiting = source.WaitForNextAsync(CancellationToken.None);

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True((await source.FetchAsync(CancellationToken.None)).IsModified);
    }

    [Fact]
    public async Task Fetch_FileOverLimit_ThrowsWithoutReading()
    {
        File.WriteAllText(FeedPath, new string(' ', 2048));
        using var source = Source(maxBytes: 1024);

        var error = await Assert.ThrowsAsync<SourceDocumentTooLargeException>(() => source.FetchAsync(CancellationToken.None));

        Assert.Contains("over the 1,024-byte limit", error.Message);
    }

    [Fact]
    public async Task Fetch_MissingFile_ThrowsNamingThePathAndTheKey()
    {
        using var source = Source();

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => source.FetchAsync(CancellationToken.None));

        Assert.Contains(FeedPath, error.Message);
        Assert.Contains("Sources:N:Path", error.Message);
    }
}
