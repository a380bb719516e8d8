using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Hosting;
using DetaineeAlertBot.Slack.Fake;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace DetaineeAlertBot.Bench.Latency;

/// <summary>
/// Push-to-message latency of one change, side by side with Prometheus Alertmanager on the same fake Slack, in one run.
/// Ours: the real host in-process (SQLite, durable outbox, production Slack sink) with a push source; each push is a
/// document in which exactly one case changed status, and the time is from sending POST /api/v1/cases to the fake's
/// receipt of chat.postMessage. Case i is watched by Slack channel i and every case changes once, so no channel is
/// posted to twice: Slack's one-message-per-second pacing (ours and the fake's) never applies, and what is measured is
/// the pipeline, not the pacer. Alertmanager: group_wait 0, one group per alert (grouped by channel), its Slack notifier
/// posting to the fake's incoming-webhook URL, one alert per channel the same way; timed from sending POST
/// /api/v2/alerts to the fake's receipt. Both run one change at a time, after the same warm-up.
/// The per-stage breakdown comes from the bot's own activities (an ActivityListener on the "DetaineeAlertBot" source).
/// </summary>
public sealed class LatencyBench : IBenchCommand
{
    private const string ApiKey = "latency-bench-ingest-key";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    public string Name => "latency";

    public string Description => "push -> chat.postMessage latency of one change vs Alertmanager (group_wait 0) on the same fake Slack [--changes N] [--warmup N] [--db-dir DIR] [--alertmanager PATH|none]";

    public async Task<int> RunAsync(string[] args)
    {
        var changes = BenchArgs.Int(args, "--changes", 200);
        var warmup = BenchArgs.Int(args, "--warmup", 20);
        var alertmanager = BenchArgs.String(args, "--alertmanager", "auto");
        // Where the SQLite file lives: the temp folder (the machine's disk) by default; /dev/shm shows what the code
        // costs when a commit's fsync is free.
        var databaseDirectory = BenchArgs.String(args, "--db-dir", Path.GetTempPath());
        Console.WriteLine($"load average before: {LoadAverage()}");

        await using var slack = await FakeSlackServer.StartAsync();
        var arrivals = new ConcurrentDictionary<string, TaskCompletionSource<long>>(StringComparer.Ordinal);
        slack.MessageRecorded = (message, arrived) => Arrival(arrivals, message.Channel).TrySetResult(arrived);

        var ours = await MeasureBotAsync(slack, arrivals, changes, warmup, databaseDirectory);
        Console.WriteLine($"load average after the bot: {LoadAverage()}");
        Report("DetaineeAlertBot, push sent -> fake chat.postMessage", ours);

        var binary = alertmanager == "none" ? null : AlertmanagerProcess.Find(alertmanager == "auto" ? null : alertmanager);
        if (binary is null)
        {
            Console.WriteLine("Alertmanager not found (apt-get install prometheus-alertmanager, or --alertmanager PATH): no side-by-side");
            return Verdict(ours, null);
        }

        arrivals.Clear();
        var theirs = await MeasureAlertmanagerAsync(binary, slack, arrivals, changes, warmup);
        Console.WriteLine($"load average after Alertmanager: {LoadAverage()}");
        Report("DetaineeAlertBot, push sent -> fake chat.postMessage", ours);
        Report($"Alertmanager {AlertmanagerProcess.Version(binary)}, POST /api/v2/alerts -> fake webhook", theirs);
        return Verdict(ours, theirs);
    }

    private static void Report(string title, List<double> milliseconds) =>
        Console.WriteLine($"{title}: median {Stats.Median(milliseconds):0.00} ms, p95 {Stats.Percentile(milliseconds, 0.95):0.00} ms, "
            + $"p99 {Stats.Percentile(milliseconds, 0.99):0.00} ms, max {milliseconds.Max():0.00} ms ({milliseconds.Count} changes)");

    private static int Verdict(List<double> ours, List<double>? theirs)
    {
        var median = Stats.Median(ours);
        var p99 = Stats.Percentile(ours, 0.99);
        var ok = median <= 5 && p99 <= 20;
        Console.WriteLine($"target median <= 5 ms and p99 <= 20 ms: median {median:0.00} ms, p99 {p99:0.00} ms -> {(ok ? "met" : "NOT MET")}");
        if (theirs is not null)
        {
            var ratio = median / Stats.Median(theirs);
            var p99Ratio = p99 / Stats.Percentile(theirs, 0.99);
            Console.WriteLine($"ratio ours/Alertmanager: median {ratio:0.00} (goal <= 1.25 -> {(ratio <= 1.25 ? "met" : "NOT MET")}), p99 {p99Ratio:0.00}");
            ok &= ratio <= 1.25;
        }
        Console.WriteLine(ok ? "PASS" : "FAIL");
        return ok ? 0 : 1;
    }

    private static TaskCompletionSource<long> Arrival(ConcurrentDictionary<string, TaskCompletionSource<long>> arrivals, string channel) =>
        arrivals.GetOrAdd(channel, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));

    private static string Channel(int i) => $"CLAT{i:D4}";

    // ---- ours ----

    private static async Task<List<double>> MeasureBotAsync(
        FakeSlackServer slack, ConcurrentDictionary<string, TaskCompletionSource<long>> arrivals, int changes, int warmup, string databaseDirectory)
    {
        var total = warmup + changes;
        var root = Directory.CreateTempSubdirectory("latency-bench-").FullName;
        var database = Path.Combine(databaseDirectory, $"latency-bench-{Guid.NewGuid():N}.db");
        Console.WriteLine($"bot database: {database}");
        Directory.CreateDirectory(Path.Combine(root, "config"));
        await File.WriteAllTextAsync(Path.Combine(root, "config", "cases.json"), "{\"cases\":[{\"id\":\"f-1\",\"name\":\"File Case\",\"status\":\"detained\"}]}");
        await File.WriteAllTextAsync(Path.Combine(root, "config", "appsettings.json"), JsonSerializer.Serialize(new
        {
            Sources = new[] { new { Name = "file", Type = "File", Path = "config/cases.json" } },
            Watchlists = Enumerable.Range(0, total).Select(i => new { Platform = "slack", ChannelId = Channel(i), Cases = new[] { $"push:c-{i:D4}" } }),
            Ingest = new { ApiKey },
        }));

        var traces = new TraceCollector();
        using var delivered = new DeliveredCounter();
        var app = BotApplication.Build(
        [
            "--Urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            $"--Storage:ConnectionString=Data Source={database}",
            $"--Slack:BotToken={FakeSlackServer.DefaultBotToken}",
            $"--Slack:ApiBaseUrl={slack.ApiBaseUrl}",
        ], root: root);
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = StepTimeout };
            var statuses = new bool[total];
            await PushAsync(http, Document(statuses)); // the push source's baseline: no alerts

            var latencies = new List<double>(changes);
            var samples = new List<TraceSample>(changes);
            for (var i = 0; i < total; i++)
            {
                statuses[i] = true;
                var document = Document(statuses);
                var arrival = Arrival(arrivals, Channel(i));
                var sentAt = DateTime.UtcNow;
                var sent = Stopwatch.GetTimestamp();
                var push = PushAsync(http, document);
                var arrived = await arrival.Task.WaitAsync(StepTimeout);
                await push;
                // The next change starts once this one is marked sent, so each is measured alone.
                await delivered.WaitForAsync(i + 1, StepTimeout);
                if (i < warmup) continue;
                var latency = Stopwatch.GetElapsedTime(sent, arrived);
                latencies.Add(latency.TotalMilliseconds);
                samples.Add(new TraceSample(sentAt, sentAt + latency, Channel(i)));
            }

            await traces.WaitForDeliversAsync(total, StepTimeout);
            traces.Report(samples);
            return latencies;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            traces.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
            // The host also leaves its instance lock file beside the database.
            foreach (var file in new[] { database, database + "-wal", database + "-shm", database + ".lock" }) File.Delete(file);
        }
    }

    private static string Document(bool[] released) =>
        "{\"cases\":[" + string.Join(",", released.Select((r, i) =>
            $"{{\"id\":\"c-{i:D4}\",\"name\":\"Person {i:D4}\",\"status\":\"{(r ? "released" : "detained")}\",\"country\":\"Afghanistan\"}}")) + "]}";

    private static async Task PushAsync(HttpClient http, string document)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    // ---- Alertmanager ----

    private static async Task<List<double>> MeasureAlertmanagerAsync(
        string binary, FakeSlackServer slack, ConcurrentDictionary<string, TaskCompletionSource<long>> arrivals, int changes, int warmup)
    {
        await using var am = await AlertmanagerProcess.StartAsync(binary, slack.IncomingWebhookUrl, StepTimeout * 3);
        using var http = new HttpClient { BaseAddress = am.BaseAddress, Timeout = StepTimeout };
        var latencies = new List<double>(changes);
        for (var i = 0; i < warmup + changes; i++)
        {
            var channel = Channel(i);
            var alert = JsonSerializer.Serialize(new[]
            {
                new
                {
                    labels = new Dictionary<string, string> { ["alertname"] = "CaseStatusChanged", ["case"] = $"c-{i:D4}", ["channel"] = channel },
                    annotations = new Dictionary<string, string> { ["summary"] = $"Person {i:D4}: detained -> released (Afghanistan)" },
                    startsAt = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                },
            });
            var arrival = Arrival(arrivals, channel);
            var sent = Stopwatch.GetTimestamp();
            using (var response = await http.PostAsync("/api/v2/alerts", new StringContent(alert, Encoding.UTF8, "application/json")))
            {
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Alertmanager answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }
            var arrived = await arrival.Task.WaitAsync(StepTimeout);
            if (i >= warmup) latencies.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
        }
        return latencies;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>One measured change: when its push was sent and when the fake received its message (UTC).</summary>
    private sealed record TraceSample(DateTime SentAt, DateTime ReceivedAt, string Channel);

    /// <summary>Counts alerts marked sent (detaineebot.alerts.delivered), so the bench knows when a change is finished.</summary>
    private sealed class DeliveredCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly SemaphoreSlim _changed = new(0);
        private long _count;

        public DeliveredCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BotMetrics.MeterName && instrument.Name == "detaineebot.alerts.delivered") listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                Interlocked.Add(ref _count, value);
                _changed.Release();
            });
            _listener.Start();
        }

        public async Task WaitForAsync(long count, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (Interlocked.Read(ref _count) < count)
            {
                try
                {
                    await _changed.WaitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"only {Interlocked.Read(ref _count)} of {count} alerts were marked sent within {timeout.TotalSeconds:0} s");
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }

    /// <summary>The bot's activities, grouped per trace, turned into where each change's time went.</summary>
    private sealed class TraceCollector : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly ConcurrentQueue<Activity> _stopped = new();
        private int _delivers;

        public TraceCollector()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == BotActivity.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity =>
                {
                    _stopped.Enqueue(activity);
                    if (activity.OperationName == "deliver") Interlocked.Increment(ref _delivers);
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public async Task WaitForDeliversAsync(int count, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            while (Volatile.Read(ref _delivers) < count) await Task.Delay(1, cancel.Token);
        }

        public void Report(IReadOnlyList<TraceSample> samples)
        {
            var byChannel = _stopped.Where(a => a.OperationName == "deliver").ToDictionary(a => (string)a.GetTagItem("channel")!, a => a);
            var byTrace = _stopped.GroupBy(a => a.TraceId).ToDictionary(g => g.Key, g => g.ToArray());
            var parts = new Dictionary<string, List<double>>(StringComparer.Ordinal);
            void Add(string part, TimeSpan span) => (parts.TryGetValue(part, out var list) ? list : parts[part] = []).Add(span.TotalMilliseconds);
            var joined = 0;
            foreach (var sample in samples)
            {
                if (!byChannel.TryGetValue(sample.Channel, out var deliver) || !byTrace.TryGetValue(deliver.TraceId, out var trace)) continue;
                var sync = trace.FirstOrDefault(a => a.OperationName == "sync");
                if (sync is null) continue;
                joined++;
                Add("1. push sent -> sync starts (HTTP, auth, body read)", sync.StartTimeUtc - sample.SentAt);
                foreach (var stage in trace.Where(a => a.ParentSpanId == sync.SpanId).OrderBy(a => a.StartTimeUtc)) Add($"2. sync stage: {stage.OperationName}", stage.Duration);
                var store = trace.First(a => a.OperationName == "store");
                Add("3. stored -> deliver starts (signal, wake-up, claim)", deliver.StartTimeUtc - (store.StartTimeUtc + store.Duration));
                Add("4. deliver starts -> fake receives (render, pace, HTTP)", sample.ReceivedAt - deliver.StartTimeUtc);
                Add("5. fake receives -> answer read (not in the latency)", deliver.StartTimeUtc + deliver.Duration - sample.ReceivedAt);
                Add("   sync total", sync.Duration);
                Add("   deliver total", deliver.Duration);
            }
            Console.WriteLine($"breakdown from the activities ({joined}/{samples.Count} changes with a sync and a deliver in one trace):");
            foreach (var (part, values) in parts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"  {part,-58} median {Stats.Median(values),7:0.000} ms  p99 {Stats.Percentile(values, 0.99),7:0.000} ms");
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
