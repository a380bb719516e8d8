using DetaineeAlertBot.Core.Sources;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Sources;

/// <summary>Creates the source a config entry describes.</summary>
public sealed class CaseSourceFactory(IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>Name of the HttpClient used by Http sources (configure proxies or handlers under this name).</summary>
    public const string HttpClientName = "case-sources";

    public ICaseSource Create(CaseSourceOptions options)
    {
        if (options.IsFile) return new FileCaseSource(options, time, loggers.CreateLogger<FileCaseSource>());
        if (options.IsHttp) return new HttpCaseSource(options, httpClients.CreateClient(HttpClientName), time, loggers.CreateLogger<HttpCaseSource>());
        throw new ArgumentException($"Source '{options.Name}' has Type '{options.Type}'; use \"File\" or \"Http\".", nameof(options));
    }
}
