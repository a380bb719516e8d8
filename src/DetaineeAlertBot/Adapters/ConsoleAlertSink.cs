using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Adapters;

/// <summary>ConsoleAlertSink prints alerts of console watchlist entries (the embedded default) and admin reports for the
/// console to standard output. It never stands in for a chat platform: alerts for a platform without credentials wait.</summary>
public sealed class ConsoleAlertSink(TextWriter? output = null) : IAlertSink
{
    private readonly TextWriter _output = output ?? Console.Out;
    private readonly Lock _gate = new();

    public string Platform => Platforms.Console;

    public Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        Write($"ALERT · console channel {alert.ChannelId} · delivery {alert.DeliveryId}", AlertText.PlainText(alert));
        return Task.FromResult(DeliveryResult.Sent($"console:{alert.DeliveryId}"));
    }

    public Task<DeliveryResult> SendReportAsync(string deliveryId, string channelId, AdminReport report, CancellationToken cancellationToken)
    {
        Write($"ADMIN REPORT · delivery {deliveryId}", report.ToPlainText());
        return Task.FromResult(DeliveryResult.Sent($"console:{deliveryId}"));
    }

    private void Write(string header, string body)
    {
        var text = $"""

            ==== {header} ====
            {body}
            ====

            """;
        lock (_gate)
        {
            _output.Write(text);
            _output.Flush();
        }
    }
}
