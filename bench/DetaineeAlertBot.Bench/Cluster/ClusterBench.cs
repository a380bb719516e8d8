using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Discord.Fake;
using Npgsql;

namespace DetaineeAlertBot.Bench.Cluster;

/// <summary>
/// Several instances on one PostgreSQL, as real bot processes against the fake Discord: change-to-delivery latency
/// (push ingest sent -> fake Discord received the message) for one change at a time, over N changes, with one
/// instance and with two (pushes alternate between them, so half go through the follower); then the failover time
/// over K kill -9s of the leader (kill -> the other instance reports the lead, and kill -> a change pushed right after
/// the kill is delivered). Needs DETAINEEBOT_TEST_POSTGRES (an Npgsql connection string where databases may be created).
/// </summary>
public sealed class ClusterBench : IBenchCommand
{
    private const string ApiKey = "cluster-bench-key-0123456789";

    public string Name => "cluster";

    public string Description => "change-to-delivery latency with 1 and 2 instances on PostgreSQL, failover time over kill -9 [--changes N] [--kills K]";

    public async Task<int> RunAsync(string[] args)
    {
        var changes = BenchArgs.Int(args, "--changes", 200);
        var kills = BenchArgs.Int(args, "--kills", 5);
        var admin = Environment.GetEnvironmentVariable("DETAINEEBOT_TEST_POSTGRES");
        if (string.IsNullOrEmpty(admin))
        {
            Console.Error.WriteLine("Set DETAINEEBOT_TEST_POSTGRES to an Npgsql connection string (e.g. eval \"$(bash .ci/postgres.sh start)\").");
            return 2;
        }

        var pass = true;
        foreach (var instances in new[] { 1, 2 })
        {
            await using var discord = await FakeDiscordServer.StartAsync();
            await using var database = await BenchDatabase.CreateAsync(admin);
            var bots = Enumerable.Range(0, instances).Select(_ => Bot.Start(discord, database.ConnectionString, changes)).ToList();
            try
            {
                foreach (var bot in bots) await bot.WaitHealthyAsync();
                var statuses = new Statuses(changes);
                await PushAsync(bots[0], statuses.Document());
                await Task.Delay(TimeSpan.FromSeconds(3)); // both instances started and caught up; JIT warm
                var latencies = new List<(int Via, double Ms)>();
                for (var k = 0; k < changes; k++)
                {
                    var before = discord.Messages.Count;
                    statuses.Flip(k);
                    var document = statuses.Document();
                    var sent = DateTimeOffset.UtcNow;
                    await PushAsync(bots[k % bots.Count], document);
                    if (!await WaitAsync(() => discord.Messages.Count > before, TimeSpan.FromSeconds(30)))
                    {
                        Console.WriteLine($"change {k} was not delivered within 30 s");
                        pass = false;
                        break;
                    }
                    var received = discord.Requests.Last(r => r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal) && r.Status == 200).ReceivedAt;
                    latencies.Add((k % bots.Count, (received - sent).TotalMilliseconds));
                }
                var all = latencies.Select(l => l.Ms).ToList();
                var leaderIndex = await bots[0].IsLeaderAsync() ? 0 : 1;
                Console.WriteLine($"{instances} instance(s), {all.Count} changes one at a time: change-to-delivery median {Stats.Percentile(all, 0.50):0} ms, p99 {Stats.Percentile(all, 0.99):0} ms, max {all.Max():0} ms"
                    + (instances > 1
                        ? $" (pushed to the leader: median {Stats.Percentile(latencies.Where(l => l.Via == leaderIndex).Select(l => l.Ms), 0.50):0} ms, p99 {Stats.Percentile(latencies.Where(l => l.Via == leaderIndex).Select(l => l.Ms), 0.99):0} ms; "
                          + $"pushed to the follower: median {Stats.Percentile(latencies.Where(l => l.Via != leaderIndex).Select(l => l.Ms), 0.50):0} ms, p99 {Stats.Percentile(latencies.Where(l => l.Via != leaderIndex).Select(l => l.Ms), 0.99):0} ms)"
                        : ""));

                if (instances == 2)
                {
                    pass &= await FailoverAsync(discord, database.ConnectionString, bots, statuses, kills);
                }
            }
            finally
            {
                foreach (var bot in bots) bot.Dispose();
            }
        }

        Console.WriteLine(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }

    private static async Task<bool> FailoverAsync(FakeDiscordServer discord, string connectionString, List<Bot> bots, Statuses statuses, int kills)
    {
        var takeovers = new List<double>();
        var recoveries = new List<double>();
        for (var kill = 0; kill < kills; kill++)
        {
            Bot? leader = null;
            await WaitAsync(() => (leader = bots.FirstOrDefault(b => b.IsLeaderAsync().Result)) is not null, TimeSpan.FromSeconds(30));
            if (leader is null)
            {
                Console.WriteLine("no leader");
                return false;
            }
            var survivor = bots.Single(b => b != leader);
            var before = discord.Messages.Count;
            var clock = Stopwatch.StartNew();
            leader.Kill();
            statuses.Flip(kill);
            await PushAsync(survivor, statuses.Document());
            if (!await WaitAsync(() => survivor.IsLeaderAsync().Result, TimeSpan.FromSeconds(60))) return false;
            takeovers.Add(clock.Elapsed.TotalMilliseconds);
            if (!await WaitAsync(() => discord.Messages.Count > before, TimeSpan.FromSeconds(60))) return false;
            recoveries.Add(clock.Elapsed.TotalMilliseconds);

            // The killed instance comes back as a follower for the next round.
            bots.Remove(leader);
            var restarted = Bot.Start(discord, connectionString, statuses.Count);
            bots.Add(restarted);
            await restarted.WaitHealthyAsync();
        }
        takeovers.Sort();
        recoveries.Sort();
        Console.WriteLine($"failover over {kills} kill -9s of the leader: kill -> other instance leads median {Stats.Percentile(takeovers, 0.50):0} ms, max {takeovers[^1]:0} ms; "
            + $"kill -> a change pushed right after it delivered median {Stats.Percentile(recoveries, 0.50):0} ms, max {recoveries[^1]:0} ms");
        Console.WriteLine($"  takeovers (ms): {string.Join(", ", takeovers.Select(t => t.ToString("0", CultureInfo.InvariantCulture)))}");
        return takeovers[^1] <= 15_000;
    }

    private static async Task PushAsync(Bot bot, string document)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await bot.Http.SendAsync(request);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"push answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The pushed feed: every case's status; one flip is one status change, so one alert.</summary>
    private sealed class Statuses(int count)
    {
        private readonly bool[] _released = new bool[count];

        public int Count => _released.Length;

        public void Flip(int i) => _released[i % _released.Length] = !_released[i % _released.Length];

        public string Document() =>
            "{\"cases\":[" + string.Join(",", _released.Select((released, i) =>
                $"{{\"id\":\"c-{i:D3}\",\"name\":\"Person {i:D3}\",\"status\":\"{(released ? "released" : "detained")}\"}}")) + "]}";
    }

    private static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            await Task.Delay(10);
        }
        return condition();
    }

    /// <summary>A bot process (the built DetaineeAlertBot.dll) on PostgreSQL, watching case i from Discord channel i.</summary>
    private sealed class Bot : IDisposable
    {
        private readonly Process _process;
        private readonly string _root;

        private Bot(Process process, string root, int port)
        {
            _process = process;
            _root = root;
            Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        }

        public HttpClient Http { get; }

        public static Bot Start(FakeDiscordServer discord, string connectionString, int cases)
        {
            var root = Directory.CreateTempSubdirectory("cluster-bench-").FullName;
            Directory.CreateDirectory(Path.Combine(root, "config"));
            File.WriteAllText(Path.Combine(root, "config", "cases.json"), "{\"cases\":[{\"id\":\"f-1\",\"name\":\"File Case\",\"status\":\"detained\"}]}");
            File.WriteAllText(Path.Combine(root, "config", "appsettings.json"), JsonSerializer.Serialize(new
            {
                Sources = new[] { new { Name = "file", Type = "File", Path = "config/cases.json" } },
                Watchlists = Enumerable.Range(0, cases).Select(i => new { Platform = "discord", ChannelId = (1_300_000_000_000_000_000L + i).ToString(CultureInfo.InvariantCulture), Cases = new[] { $"push:c-{i:D3}" } }),
                Logging = new { LogLevel = new Dictionary<string, string> { ["Default"] = "Warning" } },
            }));
            var port = FreePort();
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "DetaineeAlertBot.dll"), $"--Urls=http://127.0.0.1:{port}", $"--Ingest:ApiKey={ApiKey}",
                "--Storage:Provider=Postgres", $"--Storage:ConnectionString={connectionString}",
                $"--Discord:BotToken={FakeDiscordServer.DefaultBotToken}", $"--Discord:AllowedGuildIds={FakeDiscordServer.DefaultGuildId}", $"--Discord:ApplicationId={FakeDiscordServer.DefaultApplicationId}",
                $"--Discord:ApiBaseUrl={discord.ApiBaseUrl}", "--Discord:UseGateway=false", $"--Discord:PublicKey={discord.PublicKeyHex}",
                "--Cluster:LeaderCheckInterval=00:00:01", "--Cluster:DeliveryLease=00:00:10",
            })
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["DOTNET_ENVIRONMENT"] = "Production";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return new Bot(process, root, port);
        }

        public async Task WaitHealthyAsync()
        {
            var ok = await WaitAsync(() =>
            {
                try
                {
                    using var response = Http.GetAsync("/healthz/detail").Result;
                    return response.StatusCode == HttpStatusCode.OK;
                }
                catch (AggregateException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(120));
            if (!ok) throw new InvalidOperationException("a bot process did not become healthy within 120 s");
        }

        public async Task<bool> IsLeaderAsync()
        {
            try
            {
                using var response = await Http.GetAsync("/healthz/detail");
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                return json.RootElement.GetProperty("leader").GetProperty("isLeader").GetBoolean();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                return false;
            }
        }

        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        public void Dispose()
        {
            Http.Dispose();
            if (!_process.HasExited) Kill();
            _process.Dispose();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Temp folder.
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    private sealed class BenchDatabase : IAsyncDisposable
    {
        private readonly string _admin;
        private readonly string _name;

        private BenchDatabase(string admin, string name)
        {
            _admin = admin;
            _name = name;
            ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        }

        public string ConnectionString { get; }

        public static async Task<BenchDatabase> CreateAsync(string admin)
        {
            var name = "detainee_bench_" + Guid.NewGuid().ToString("N")[..12];
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
            return new BenchDatabase(admin, name);
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_admin);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
