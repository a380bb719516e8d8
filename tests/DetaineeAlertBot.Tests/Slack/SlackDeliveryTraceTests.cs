using DetaineeAlertBot.Testing;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DetaineeAlertBot.Core.Diagnostics;
using DetaineeAlertBot.Tests.Host;

namespace DetaineeAlertBot.Tests.Slack;

/// <summary>One pushed change is one trace: the document's "sync" (with its stages) and the "deliver" span of its alert,
/// joined through the trace context stored with the outbox row.</summary>
public sealed class SlackDeliveryTraceTests
{
    private const string ApiKey = "trace-test-ingest-key";

    private const string Settings = $$"""
        {
          "Sources": [ { "Name": "file", "Type": "File", "Path": "config/cases.json" } ],
          "Watchlists": [ { "Platform": "slack", "ChannelId": "CTRACE1", "Cases": "push:p-1" } ],
          "Ingest": { "ApiKey": "{{ApiKey}}" }
        }
        """;

    [Fact]
    public async Task PushedChange_SyncAndDeliverActivities_ShareOneTraceTaggedWithTheDeliveryId()
    {
        // Other tests in this process use the same activity source: everything is collected, then picked by delivery id.
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BotActivity.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        var root = SlackHost.CreateRoot(Settings, BotTestHost.Feed(("f-1", "From File", "detained")));
        await using var host = await SlackHost.StartAsync(root, socketMode: false, httpCommands: false);
        await PushAsync(host, "detained"); // the push source's baseline: no alert
        await PushAsync(host, "released");

        await Eventually.TrueAsync(() => host.Slack.Messages.Any(m => m.Channel == "CTRACE1"), TimeSpan.FromSeconds(60), because: "the change to reach the fake Slack");
        var message = host.Slack.Messages.Single(m => m.Channel == "CTRACE1");
        var deliveryId = message.Body.GetProperty("metadata").GetProperty("event_payload").GetProperty("delivery_id").GetString();
        Activity? Deliver() => stopped.FirstOrDefault(a => a.OperationName == "deliver" && (a.GetTagItem("delivery.id") as string) == deliveryId);
        await Eventually.TrueAsync(() => Deliver() is not null, because: "a deliver activity for the delivery id");

        var deliver = Deliver()!;
        Assert.Equal(("slack", "CTRACE1", "sent"), (deliver.GetTagItem("platform"), deliver.GetTagItem("channel"), deliver.GetTagItem("result")));
        var trace = stopped.Where(a => a.TraceId == deliver.TraceId).ToArray();
        var sync = Assert.Single(trace, a => a.OperationName == "sync");
        Assert.Equal("applied", sync.GetTagItem("result"));
        Assert.Contains(trace, a => a.OperationName == "store" && a.ParentSpanId == sync.SpanId);
        // The row was created inside the store stage, so the delivery hangs off it.
        Assert.Equal(trace.Single(a => a.OperationName == "store").SpanId, deliver.ParentSpanId);
    }

    private static async Task PushAsync(SlackHost host, string status)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cases")
        {
            Content = new StringContent(BotTestHost.Feed(("p-1", "Pushed Person", status)), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
