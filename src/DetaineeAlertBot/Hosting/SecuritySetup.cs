using DetaineeAlertBot.Security;
using Microsoft.Extensions.Logging.Console;

namespace DetaineeAlertBot.Hosting;

/// <summary>Registers the trust-boundary pieces the endpoints share: replay memory, the pre-authentication gate, the
/// ingest key-guessing throttle, management access (Management:ApiKey) and the redacting console log format.</summary>
public static class SecuritySetup
{
    public static WebApplicationBuilder AddBotSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddBotOptions<ManagementOptions>(ManagementOptions.SectionName)
            // Trimmed once here, so the key that is validated is the key that is compared.
            .PostConfigure(management => management.ApiKey = management.ApiKey.Trim())
            .ValidateItself();
        services.AddSingleton<ManagementAccess>();
        services.AddSingleton(provider => new ReplayGuard(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(new UnauthenticatedRequestGate());
        services.AddSingleton(provider => new AuthFailureThrottle(provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => SecretRedactor.FromConfiguration(provider.GetRequiredService<IConfiguration>()));

        // Console only (the default Debug and EventSource providers show nothing to an operator), in our redacting format.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(options => options.FormatterName = RedactingConsoleFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<RedactingConsoleFormatter, ConsoleFormatterOptions>();
        return builder;
    }
}
