using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DetaineeAlertBot.Bench.Latency;

/// <summary>A Prometheus Alertmanager process for comparison (not a dependency of the bot): started on 127.0.0.1 with a
/// generated configuration that sends every alert at once (group_wait 0s, one group per channel) to a Slack receiver
/// whose api_url is the fake Slack's incoming webhook, and killed on dispose.</summary>
internal sealed class AlertmanagerProcess : IAsyncDisposable
{
    private static readonly string[] Names = ["prometheus-alertmanager", "alertmanager"];

    private readonly Process _process;
    private readonly string _directory;

    private AlertmanagerProcess(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The given path, or the first of the Debian and upstream binary names on PATH; null when none exists.</summary>
    public static string? Find(string? path)
    {
        if (path is not null) return File.Exists(path) ? path : null;
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return Names.SelectMany(name => directories.Select(d => Path.Combine(d, name))).FirstOrDefault(File.Exists);
    }

    public static string Version(string binary)
    {
        using var process = Process.Start(new ProcessStartInfo(binary, "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit(5000);
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var at = Array.IndexOf(words, "version");
        return at >= 0 && at + 1 < words.Length ? words[at + 1] : "(unknown version)";
    }

    public static async Task<AlertmanagerProcess> StartAsync(string binary, string slackWebhookUrl, TimeSpan readyTimeout)
    {
        var directory = Directory.CreateTempSubdirectory("latency-bench-alertmanager-").FullName;
        var config = Path.Combine(directory, "alertmanager.yml");
        // group_wait 0s: a new group is flushed at once; grouping by channel makes every alert its own group, as every
        // change of the bot's run goes to its own channel. Resolved notifications are off: only the firing one is timed.
        await File.WriteAllTextAsync(config, $$"""
            route:
              receiver: fake-slack
              group_by: ['channel']
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 24h
            receivers:
              - name: fake-slack
                slack_configs:
                  - api_url: '{{slackWebhookUrl}}'
                    channel: '{{"{{"}} .CommonLabels.channel {{"}}"}}'
                    send_resolved: false
                    title: '{{"{{"}} .CommonLabels.alertname {{"}}"}}'
                    text: '{{"{{"}} .CommonAnnotations.summary {{"}}"}}'
            """);
        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[]
        {
            $"--config.file={config}",
            $"--storage.path={Path.Combine(directory, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            // No cluster: a single Alertmanager, like the single bot instance it is compared with (and no gossip settle wait).
            "--cluster.listen-address=",
            "--log.level=warn",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine($"alertmanager: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var running = new AlertmanagerProcess(process, directory, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await running.WaitReadyAsync(readyTimeout);
            return running;
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Alertmanager exited with code {_process.ExitCode} before it was ready");
            try
            {
                using var response = await http.GetAsync("/-/ready");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while starting.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Alertmanager was not ready within {timeout.TotalSeconds:0} s");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cancel.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open by the dying process: the temp folder is cleaned later.
            }
        }
    }
}
