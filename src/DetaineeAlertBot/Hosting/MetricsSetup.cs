using DetaineeAlertBot.Security;
using System.Diagnostics.Metrics;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Core.Watchlists;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DetaineeAlertBot.Hosting;

/// <summary>GET /metrics in the Prometheus text format (OpenTelemetry's exporter) with the "DetaineeAlertBot" meter:
/// see the README's metrics table. Latency histograms get buckets from 50 ms to 10 min, which is where alerts live; a
/// pushed change is delivered in milliseconds, so change-to-delivery and the sync stages start at 1 ms.
/// Traces: the "DetaineeAlertBot" activity source (a "sync" trace per document, its stages, and a "deliver" span per
/// alert in the same trace) is exported over OTLP when the standard OTEL_EXPORTER_OTLP_ENDPOINT (or
/// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) environment variable names a collector; without one nothing is exported.</summary>
public static class MetricsSetup
{
    public const string Path = "/metrics";

    private static readonly double[] SecondsBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600];

    private static readonly double[] FastSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, .. SecondsBuckets];

    private static readonly string[] OtlpEndpointVariables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];

    public static WebApplicationBuilder AddBotMetrics(this WebApplicationBuilder builder)
    {
        var otlpConfigured = OtlpEndpointVariables.Any(name => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(name)));
        builder.Services.AddOpenTelemetry().WithTracing(tracing =>
        {
            tracing.AddSource(BotActivity.SourceName);
            if (otlpConfigured) tracing.AddOtlpExporter();
        }).WithMetrics(metrics => metrics
            .AddMeter(BotMetrics.MeterName)
            .AddView("detaineebot.alerts.change_to_delivery", new ExplicitBucketHistogramConfiguration { Boundaries = FastSecondsBuckets })
            .AddView("detaineebot.sync.stage_duration", new ExplicitBucketHistogramConfiguration { Boundaries = FastSecondsBuckets })
            .AddView("detaineebot.source.sync_duration", new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets })
            .AddView("detaineebot.source.poll_duration", new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets })
            // The exporter's default 300 ms response cache stays: with it off, this version answered without our meter.
            .AddPrometheusExporter());
        builder.Services.AddHostedService<ChatRateLimitListener>();
        return builder;
    }

    public static WebApplication MapBotMetrics(this WebApplication app)
    {
        // Metrics describe the deployment: the same access rule as /healthz/detail.
        app.MapPrometheusScrapingEndpoint(Path).RequireManagementAccess();
        return app;
    }
}

/// <summary>ChatRateLimitListener counts HTTP 429 answers from the Discord and Slack APIs (detaineebot.chat.rate_limited)
/// from .NET's own HttpClient metrics, so the protocol clients need no metrics code: every request's duration is
/// reported with its status code and server, which we match against the configured API base URLs.</summary>
public sealed class ChatRateLimitListener(IConfiguration configuration, BotMetrics metrics) : IHostedService, IDisposable
{
    private MeterListener? _listener;
    private Dictionary<string, string> _platformByServer = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _platformByServer = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        AddServer(configuration["Discord:ApiBaseUrl"] ?? "https://discord.com/api/v10", Platforms.Discord);
        AddServer(configuration["Slack:ApiBaseUrl"] ?? "https://slack.com/api/", Platforms.Slack);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration") listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<double>(OnRequest);
        _listener.Start();
        return Task.CompletedTask;
    }

    private void AddServer(string baseUrl, string platform)
    {
        if (Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri)) _platformByServer[$"{uri.Host}:{uri.Port}"] = platform;
    }

    private void OnRequest(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        object? status = null, host = null, port = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "http.response.status_code": status = tag.Value; break;
                case "server.address": host = tag.Value; break;
                case "server.port": port = tag.Value; break;
            }
        }
        if (status is not 429) return;
        if (_platformByServer.TryGetValue($"{host}:{port}", out var platform))
        {
            metrics.RateLimited.Add(1, new KeyValuePair<string, object?>("platform", platform));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
    }
}
