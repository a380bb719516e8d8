using System.Net;

namespace DetaineeAlertBot.Security;

/// <summary>Management:* — who may read /healthz/detail and /metrics from outside this machine.</summary>
public sealed class ManagementOptions : Hosting.IValidatableOptions
{
    public const string SectionName = "Management";

    /// <summary>Bearer key for non-loopback callers; empty means only loopback callers are answered.</summary>
    public string ApiKey { get; set; } = "";

    public bool HasKey => ApiKey.Length > 0;

    public IEnumerable<string> Validate()
    {
        if (HasKey && ApiKey.Length < 16)
        {
            yield return "Management:ApiKey is shorter than 16 characters: use a long random key (e.g. `openssl rand -hex 32`), "
                + "or leave it empty so that only callers on this machine can read /healthz/detail and /metrics.";
        }
    }
}

/// <summary>
/// ManagementAccess guards the endpoints that describe the deployment (/healthz/detail, /metrics): a caller on this
/// machine is answered, anyone else only with <c>Authorization: Bearer &lt;Management:ApiKey&gt;</c> (401 otherwise).
/// A request that came through a reverse proxy on this machine carries forwarding headers and counts as remote, so a
/// proxy that exposes these paths by mistake does not make the whole internet "local".
/// </summary>
public sealed class ManagementAccess(ManagementOptions options)
{
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP"];

    private readonly BearerKey? _key = options.HasKey ? new BearerKey(options.ApiKey) : null;

    /// <summary>True when the request may read management data.</summary>
    public bool Allows(HttpContext context) => IsLocal(context) || _key?.Matches(context.Request) == true;

    /// <summary>The loopback interface, and no proxy in between.</summary>
    public static bool IsLocal(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
        && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)
        && !ForwardingHeaders.Any(context.Request.Headers.ContainsKey);

    /// <summary>Answers 401 for endpoints marked with <see cref="ManagementAccessExtensions.RequireManagementAccess{TBuilder}"/>
    /// unless <see cref="Allows"/>. It checks the endpoint routing chose, not the path text, so /metrics/, /METRICS or
    /// any other spelling routing accepts is guarded the same way.</summary>
    public static void UseGuard(WebApplication app)
    {
        var access = app.Services.GetRequiredService<ManagementAccess>();
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<ManagementOnly>() is null || access.Allows(context))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await context.Response.WriteAsJsonAsync(new
            {
                error = "this endpoint answers callers on the bot's own machine, or with Authorization: Bearer <Management:ApiKey>",
            });
        });
    }
}

/// <summary>Endpoint metadata: only <see cref="ManagementAccess"/>-allowed callers reach it.</summary>
public sealed class ManagementOnly
{
    public static readonly ManagementOnly Instance = new();

    private ManagementOnly()
    {
    }
}

public static class ManagementAccessExtensions
{
    /// <summary>Answers this endpoint only to callers on this machine or with the management key (see <see cref="ManagementAccess"/>).</summary>
    public static TBuilder RequireManagementAccess<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ManagementOnly.Instance);
}
