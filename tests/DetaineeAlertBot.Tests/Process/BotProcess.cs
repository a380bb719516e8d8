using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DetaineeAlertBot.Tests.Process;

/// <summary>The bot as a separate OS process (the built DetaineeAlertBot.dll), so a test can kill it with SIGKILL.</summary>
internal sealed class BotProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly StringBuilder _output = new();

    private BotProcess(System.Diagnostics.Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static BotProcess Start(string root, params string[] args)
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "DetaineeAlertBot.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Urls=http://127.0.0.1:{port}");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = System.Diagnostics.Process.Start(start)!;
        var bot = new BotProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => bot.Append(e.Data);
        process.ErrorDataReceived += (_, e) => bot.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return bot;
    }

    /// <summary>Waits (bounded) until /healthz answers 200; false when it does not or the process exits first.</summary>
    public async Task<bool> WaitHealthyAsync(TimeSpan timeout)
    {
        var healthy = false;
        try
        {
            await Eventually.TrueAsync(async () => _process.HasExited || (healthy = await IsHealthyAsync()), timeout);
        }
        catch (EventuallyTimeoutException)
        {
            return false;
        }
        return healthy;
    }

    private async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await Http.GetAsync("/healthz/detail");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    /// <summary>The /healthz/detail body, whatever the status.</summary>
    public async Task<string> HealthAsync()
    {
        using var response = await Http.GetAsync("/healthz/detail");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, like a host dying.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
