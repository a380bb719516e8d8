using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace DetaineeAlertBot.Security;

/// <summary>
/// The console log format ("info: Category[0]" and the message on the next line, like .NET's simple format), with every
/// message and exception passed through <see cref="SecretRedactor"/>: logs are read by more people than the bot's
/// secrets should reach, and they show feed and chat text that strangers wrote.
/// </summary>
public sealed class RedactingConsoleFormatter(IOptionsMonitor<ConsoleFormatterOptions> options, SecretRedactor redactor)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "redacting";

    private const string Indent = "      ";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null) return;

        var timestampFormat = options.CurrentValue.TimestampFormat;
        if (timestampFormat is not null)
        {
            var now = options.CurrentValue.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
            textWriter.Write(now.ToString(timestampFormat, System.Globalization.CultureInfo.InvariantCulture));
        }

        textWriter.Write(Level(logEntry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        if (message is not null) WriteIndented(textWriter, redactor.Redact(message));
        if (logEntry.Exception is not null) WriteIndented(textWriter, redactor.Redact(logEntry.Exception.ToString()));
    }

    private static void WriteIndented(TextWriter writer, string text)
    {
        foreach (var line in text.Split('\n'))
        {
            writer.Write(Indent);
            writer.WriteLine(line.TrimEnd('\r'));
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
