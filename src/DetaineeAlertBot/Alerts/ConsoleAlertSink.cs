using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Alerts;

/// <summary>ConsoleAlertSink prints alerts to standard output: the embedded default when no chat tokens are set,
/// and the fallback for a platform that is not configured.</summary>
public sealed class ConsoleAlertSink(TextWriter? output = null) : IAlertSink
{
    private readonly TextWriter _output = output ?? Console.Out;
    private readonly Lock _gate = new();

    public string Platform => Platforms.Console;

    public Task<DeliveryResult> SendAsync(AlertMessage alert, CancellationToken cancellationToken)
    {
        var target = alert.Platform == Platforms.Console ? $"console channel {alert.ChannelId}" : $"{alert.Platform} channel {alert.ChannelId} (not configured: shown here)";
        var text = $"""

            ==== ALERT · {target} · delivery {alert.DeliveryId} ====
            {AlertText.PlainText(alert)}
            ====

            """;
        lock (_gate)
        {
            _output.Write(text);
            _output.Flush();
        }
        return Task.FromResult(DeliveryResult.Sent($"console:{alert.DeliveryId}"));
    }
}
