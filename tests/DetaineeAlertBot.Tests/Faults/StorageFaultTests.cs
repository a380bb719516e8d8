using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Tests.Cluster;
using DetaineeAlertBot.Tests.Host;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DetaineeAlertBot.Tests.Faults;

/// <summary>The database goes away while the bot runs: PostgreSQL restarting (every connection reset, new ones refused,
/// through a proxy, since the shared test server cannot be restarted under other tests) or the disk of the SQLite file
/// filling up (a 4 MiB tmpfs). The bot keeps running, says why in /healthz and in the push answer, stores nothing
/// half-way, and once the database is back delivers the next change exactly once.</summary>
public sealed class StorageFaultTests
{
    private const string ApiKey = "storage-fault-key-0123456789";

    [Theory]
    [MemberData(nameof(ClusterProviders.All), MemberType = typeof(ClusterProviders))]
    public async Task StorageOutage_WhileRunning_ReportsTheReasonStoresNothingThenDeliversOnce(string provider)
    {
        var postgres = provider == "Postgres";
        await using var database = postgres ? await PostgresDatabase.CreateAsync() : null;
        TcpProxy? proxy = null;
        string? mount = null;
        var root = BotTestHost.CreateRoot(BotTestHost.Feed(("f-1", "File Case", "detained")), """
            {
              "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
              "Watchlists": [ { "Platform": "console", "ChannelId": "ops", "Cases": "push:p-1" } ]
            }
            """);
        var args = new List<string> { $"--Ingest:ApiKey={ApiKey}", "--Cluster:LeaderCheckInterval=00:00:00.5" };
        if (postgres)
        {
            var target = new NpgsqlConnectionStringBuilder(database!.ConnectionString);
            proxy = TcpProxy.Start(target.Host!, target.Port);
            var viaProxy = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 };
            args.Add("--Storage:Provider=Postgres");
            args.Add($"--Storage:ConnectionString={viaProxy}");
        }
        else
        {
            mount = Path.Combine(root, "disk");
            Directory.CreateDirectory(mount);
            var mounted = System.Diagnostics.Process.Start("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]);
            await mounted.WaitForExitAsync();
            Assert.True(mounted.ExitCode == 0, "mounting a 4 MiB tmpfs failed: this test fills a small disk and needs root (CI runs as root)");
            args.Add($"--Storage:ConnectionString=Data Source={Path.Combine(mount, "bot.db")}");
        }

        var host = await BotTestHost.StartAsync(root, [.. args]);
        host.DeleteRootOnDispose = false; // the database is read after the host stops
        try
        {
            await Eventually.TrueAsync(async () => (await Status(host)) == HttpStatusCode.OK, TimeSpan.FromSeconds(30), detail: () => Body(host));
            Assert.Equal(HttpStatusCode.OK, (await PushAsync(host, Document(("p-1", "detained")))).Status); // baseline

            string filler = "";
            if (postgres)
            {
                proxy!.Cut();
                // /healthz says why, and keeps saying it: no crash, no restart loop.
                await Eventually.TrueAsync(async () => (await Status(host)) == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(30));
                var health = await Body(host);
                Assert.Contains("refused the connection", health);
                Assert.Contains("Storage:ConnectionString", health);
                // The leader lost its lock connection too: it stops sending and says it cannot check the lead.
                await Eventually.TrueAsync(async () => (health = (await Body(host))).Contains("\"isLeader\":false", StringComparison.Ordinal)
                    && health.Contains("cannot check the lead", StringComparison.Ordinal), TimeSpan.FromSeconds(30), detail: () => health);
            }
            else
            {
                filler = Path.Combine(mount!, "filler");
                FillDisk(filler);
            }

            var refused = await PushAsync(host, Document(("p-1", "released"), Enumerable.Range(0, 3000).Select(i => ($"x-{i}", "detained")).ToArray()));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
            Assert.Contains("nothing was stored", refused.Body);
            // The whole body on failure (Assert.Contains cuts it off): a run under load once answered with another reason.
            Assert.True(refused.Body.Contains(postgres ? "refused the connection" : "is full", StringComparison.Ordinal), refused.Body);
            Assert.Equal(0, host.Console.Count("==== ALERT"));

            if (postgres) proxy!.Restore();
            else File.Delete(filler);
            await Eventually.TrueAsync(async () => (await Status(host)) == HttpStatusCode.OK && (await Body(host)).Contains("\"isLeader\":true"), TimeSpan.FromSeconds(30), detail: () => Body(host));
            // Readable again, the store holds no row from the refused document, so no dispatcher can ever print one.
            var afterRefusal = await host.App.Services.GetRequiredService<IAlertOutbox>().GetStatsAsync(CancellationToken.None);
            Assert.Equal((0L, 0L, 0L, 0L), (afterRefusal.Pending, afterRefusal.Sending, afterRefusal.Delivered, afterRefusal.Dead));
            Assert.Equal(0, host.Console.Count("==== ALERT"));

            var accepted = await PushAsync(host, Document(("p-1", "released")));
            Assert.Equal(HttpStatusCode.OK, accepted.Status);
            await Eventually.TrueAsync(() => host.Console.Count("==== ALERT") == 1, TimeSpan.FromSeconds(30), detail: () => host.Console.Text);
            await Eventually.TrueAsync(() => host.AllSentAsync(delivered: 1), because: "the one alert stored sent, nothing left to send");
            Assert.Equal(1, host.Console.Count("==== ALERT"));

            // Stored: the refused document left nothing behind; the accepted one one history row and one sent alert.
            await host.DisposeAsync();
            host = null;
            var stored = postgres ? await PostgresCountsAsync(database!) : SqliteCounts(Path.Combine(mount!, "bot.db"));
            Assert.Equal((1L, 2L, 1L, 0L, "ok"), stored); // push cases, their history rows, sent alerts, unsent alerts, integrity
        }
        finally
        {
            if (host is not null) await host.DisposeAsync();
            if (proxy is not null) await proxy.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (mount is not null) await System.Diagnostics.Process.Start("umount", [mount]).WaitForExitAsync();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder; a watcher may still hold it.
            }
        }
    }

    private static void FillDisk(string path)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        var chunk = new byte[4096];
        try
        {
            while (true) file.Write(chunk);
        }
        catch (IOException)
        {
            // No space left: exactly what we wanted.
        }
    }

    private static string Document((string Id, string Status) first, params (string Id, string Status)[] more) =>
        "{\"cases\":[" + string.Join(",", new[] { first }.Concat(more).Select(c =>
            $"{{\"id\":\"{c.Id}\",\"name\":\"Person {c.Id} with a long enough name to take some room\",\"status\":\"{c.Status}\",\"summary\":\"{new string('s', 200)}\"}}")) + "]}";

    private static async Task<(HttpStatusCode Status, string Body)> PushAsync(BotTestHost host, string document)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases") { Content = new StringContent(document, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<HttpStatusCode> Status(BotTestHost host)
    {
        using var response = await host.Http.GetAsync("/healthz/detail");
        return response.StatusCode;
    }

    private static async Task<string> Body(BotTestHost host)
    {
        using var response = await host.Http.GetAsync("/healthz/detail");
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(long, long, long, long, string)> PostgresCountsAsync(PostgresDatabase database) =>
        (await database.ScalarAsync("SELECT COUNT(*) FROM cases WHERE source = 'push'"),
         await database.ScalarAsync("SELECT COUNT(*) FROM status_history WHERE source = 'push'"),
         await database.ScalarAsync("SELECT COUNT(*) FROM alert_outbox WHERE state = 'sent'"),
         await database.ScalarAsync("SELECT COUNT(*) FROM alert_outbox WHERE state <> 'sent'"),
         "ok");

    private static (long, long, long, long, string) SqliteCounts(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        var integrity = (string)check.ExecuteScalar()!;
        return (Scalar("SELECT COUNT(*) FROM cases WHERE source = 'push'"), Scalar("SELECT COUNT(*) FROM status_history WHERE source = 'push'"),
            Scalar("SELECT COUNT(*) FROM alert_outbox WHERE state = 'sent'"), Scalar("SELECT COUNT(*) FROM alert_outbox WHERE state <> 'sent'"), integrity);
    }
}
