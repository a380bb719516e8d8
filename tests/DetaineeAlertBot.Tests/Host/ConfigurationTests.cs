using DetaineeAlertBot.Core.Watchlists;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using DetaineeAlertBot.Hosting;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Tests.Host;

public class ConfigurationTests
{
    [Fact]
    public async Task Precedence_JsonThenEnvironmentThenArgs_LastWins()
    {
        var root = BotTestHost.CreateRoot("[]", """{ "PrecedenceProbe": { "A": "json", "B": "json", "C": "json" } }""");
        // A section no other test reads, so setting process environment variables cannot disturb parallel tests.
        Environment.SetEnvironmentVariable("PrecedenceProbe__B", "env");
        Environment.SetEnvironmentVariable("PrecedenceProbe__C", "env");
        try
        {
            await using var app = BotApplication.Build(["--PrecedenceProbe:C=args", "--Urls=http://127.0.0.1:0"], root: root);

            Assert.Equal("json", app.Configuration["PrecedenceProbe:A"]);
            Assert.Equal("env", app.Configuration["PrecedenceProbe:B"]);
            Assert.Equal("args", app.Configuration["PrecedenceProbe:C"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PrecedenceProbe__B", null);
            Environment.SetEnvironmentVariable("PrecedenceProbe__C", null);
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task Defaults_NoSourcesOrWatchlists_UseTheSampleFileAndConsoleWatch()
    {
        var root = BotTestHost.CreateRoot("[]", "{}");
        try
        {
            await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0"], root: root);

            var source = Assert.Single(app.Services.GetRequiredService<SourcesOptions>().Items);
            Assert.Equal(("sample", "File"), (source.Name, source.Type));
            Assert.Equal(Path.Combine(root, "config", "cases.sample.json"), source.Path);
            var seed = Assert.Single(app.Services.GetRequiredService<WatchlistSeeds>().Seeds);
            Assert.Equal("console", seed.Platform);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task Lists_CommaSeparatedString_IsAcceptedLikeAnArray()
    {
        var root = BotTestHost.CreateRoot("[]", "{}");
        try
        {
            await using var app = BotApplication.Build(["--Urls=http://127.0.0.1:0", "--Watchlists:0:Platform=console", "--Watchlists:0:ChannelId=c", "--Watchlists:0:Cases=a-1, b-2,src:c-3"], root: root);

            var seed = Assert.Single(app.Services.GetRequiredService<WatchlistSeeds>().Seeds);
            Assert.Equal(["a-1", "b-2", "src:c-3"], seed.Cases);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Theory]
    [InlineData("--Storage:Provider=Oracle", "Storage:Provider 'Oracle' is not supported: use \"Sqlite\" (default, one instance) or \"Postgres\".")]
    [InlineData("--Storage:ConnectionString=", "Storage:ConnectionString is empty")]
    [InlineData("--Sources:0:Type=Ftp", "Sources:0:Type 'Ftp' is not supported: use \"File\" or \"Http\".")]
    [InlineData("--Sources:0:Path=", "Sources:0:Path is empty")]
    [InlineData("--Watchlists:0:Platform=teams", "Watchlists:0:Platform 'teams' is not supported")]
    [InlineData("--Ingest:ApiKey=short", "Ingest:ApiKey is shorter than 16 characters")]
    [InlineData("--Alerts:GiveUpAfter=00:00:00", "Alerts:GiveUpAfter '00:00:00' is out of range")]
    [InlineData("--Alerts:FlapThreshold=-1", "Alerts:FlapThreshold '-1' is out of range: use 1 to 1000 changes (default 3), or 0 to turn flap damping off.")]
    [InlineData("--Alerts:FlapWindow=00:00:10", "Alerts:FlapWindow '00:00:10' is out of range: use 00:01:00 to 1.00:00:00 (default 00:10:00).")]
    [InlineData("--Watchlists:0:Digest=daily 9am Europe/Berlin", "Watchlists:0:Digest: '9am' is not a time of day")]
    [InlineData("--Alerts:AdminChannels=teams:123", "Alerts:AdminChannels 'teams:123' is not discord:<channel id>, slack:<channel id> or console.")]
    public void Validation_BadKey_FailsAtStartNamingTheKeyAndTheFix(string arg, string message)
    {
        var root = BotTestHost.CreateRoot("[]", """{ "Sources": [ { "Name": "s", "Type": "File", "Path": "config/cases.json" } ], "Watchlists": [ { "Platform": "console", "ChannelId": "c", "Cases": "x" } ] }""");
        try
        {
            var error = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(["--Urls=http://127.0.0.1:0", arg], root: root));

            Assert.Contains(error.Failures, f => f.Contains(message, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Validation_ProblemsInSeveralSections_AreAllReportedAtOnce()
    {
        var root = BotTestHost.CreateRoot("[]", "{}");
        try
        {
            var error = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(
                ["--Urls=http://127.0.0.1:0", "--Storage:Provider=Oracle", "--Sources:0:Type=Ftp", "--Alerts:GiveUpAfter=00:00:00"], root: root));

            Assert.Contains(error.Failures, f => f.StartsWith("Storage:Provider 'Oracle'", StringComparison.Ordinal));
            Assert.Contains(error.Failures, f => f.StartsWith("Sources:0:Type 'Ftp'", StringComparison.Ordinal));
            Assert.Contains(error.Failures, f => f.StartsWith("Alerts:GiveUpAfter", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Validation_HttpSourceWithBadUrlAndTinyInterval_ReportsBoth()
    {
        var root = BotTestHost.CreateRoot("[]", "{}");
        try
        {
            var error = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(
                ["--Urls=http://127.0.0.1:0", "--Sources:0:Name=web", "--Sources:0:Type=Http", "--Sources:0:Url=ftp://x", "--Sources:0:PollInterval=00:00:00.5"], root: root));

            Assert.Contains(error.Failures, f => f.StartsWith("Sources:0:Url 'ftp://x' is not an absolute http(s) URL", StringComparison.Ordinal));
            Assert.Contains(error.Failures, f => f.StartsWith("Sources:0:PollInterval 00:00:00.5000000 is shorter than 00:00:01", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Validation_BareCaseIdWithTwoPossibleSources_IsRefusedNamingTheEntryAndTheFix()
    {
        // A bare id would once match every source, so a pusher could create a look-alike case and forge its alerts.
        var root = BotTestHost.CreateRoot("[]", """
            {
              "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
              "Ingest": { "ApiKey": "fake-ingest-key-0123456789abcdef" },
              "Watchlists": [ { "Platform": "console", "ChannelId": "c", "Cases": "a-1" } ]
            }
            """);
        try
        {
            var error = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(["--Urls=http://127.0.0.1:0"], root: root));

            var failure = Assert.Single(error.Failures, f => f.StartsWith("Watchlists:0:Cases 'a-1' does not say which source", StringComparison.Ordinal));
            Assert.Contains("file:a-1", failure);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void Validation_ValuesTheBinderCannotConvert_AreReportedWithTheOtherProblems()
    {
        var root = BotTestHost.CreateRoot("[]", "{}");
        try
        {
            var error = Assert.Throws<OptionsValidationException>(() => BotApplication.Build(
                ["--Urls=http://127.0.0.1:0", "--Alerts:Retention=soon", "--Sources:0:Name=web", "--Sources:0:Type=Http", "--Sources:0:Url=http://127.0.0.1:9/",
                 "--Sources:0:PollInterval=often", "--Slack:AllowGuests=perhaps", "--Storage:Provider=Oracle"], root: root));

            Assert.Contains("Alerts:Retention is 'soon', which is not a duration: write it as [d.]hh:mm:ss, e.g. 00:05:00 for five minutes.", error.Failures);
            Assert.Contains(error.Failures, f => f.StartsWith("Sources:0:PollInterval is 'often', which is not a duration", StringComparison.Ordinal));
            Assert.Contains(error.Failures, f => f.StartsWith("Slack:AllowGuests is 'perhaps', which is not true or false", StringComparison.Ordinal));
            Assert.Contains(error.Failures, f => f.StartsWith("Storage:Provider 'Oracle' is not supported", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public async Task Registration_AddMethodsInReverseOrder_SameSettingsAndStartOrder()
    {
        var root = BotTestHost.CreateRoot("[]");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = root });
            builder.AddBotConfiguration(["--Urls=http://127.0.0.1:0", "--Cluster:DeliveryLease=00:00:07", "--Alerts:RetryBaseDelay=00:00:03"], root);
            // The reverse of BotApplication.Build: once, AddPipeline read Cluster:* itself and had to come after AddCluster.
            DetaineeAlertBot.Health.HealthSetup.AddBotHealth(builder);
            builder.AddBotMetrics();
            DetaineeAlertBot.Adapters.Slack.SlackWiring.AddSlack(builder);
            DetaineeAlertBot.Adapters.Discord.DiscordWiring.AddDiscord(builder);
            builder.AddCaseSources();
            builder.AddPipeline();
            DetaineeAlertBot.Cluster.ClusterSetup.AddCluster(builder);
            builder.AddBotStorage();
            builder.AddBotSecurity();
            await using var app = builder.Build();

            BotOptions.ThrowIfInvalid(app.Services);
            Assert.Equal(TimeSpan.FromSeconds(7), app.Services.GetRequiredService<DetaineeAlertBot.Cluster.ClusterOptions>().DeliveryLease);
            Assert.Equal(TimeSpan.FromSeconds(3), app.Services.GetRequiredService<DetaineeAlertBot.Core.Alerts.DeliveryPolicy>().BaseDelay);
            Assert.NotNull(app.Services.GetRequiredService<DetaineeAlertBot.Core.Alerts.AlertDispatcher>());
            // The SQLite instance lock is taken before StartupService opens the database.
            var started = app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().Select(s => s.GetType()).ToList();
            Assert.True(started.IndexOf(typeof(DetaineeAlertBot.Cluster.SqliteInstanceGuard)) < started.IndexOf(typeof(DetaineeAlertBot.Workers.StartupService)),
                string.Join(", ", started.Select(t => t.Name)));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }
}
