namespace DetaineeAlertBot.Hosting;

/// <summary>A one-shot GET used by the Dockerfile's HEALTHCHECK (the runtime image has no curl): exit 0 when /healthz
/// answers 2xx. Without a URL it asks the bot at the address it listens on (Urls / ASPNETCORE_URLS), over loopback.</summary>
public static class HealthProbe
{
    public static async Task<int> RunAsync(string? url, string[] configurationArgs)
    {
        url ??= LocalHealthUrl(BotConfiguration.ListenUrls(BotConfiguration.Load(configurationArgs, BotConfiguration.FindRoot())));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        try
        {
            using var response = await http.GetAsync(url);
            Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"health check of {url} failed: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The /healthz URL on loopback for the first of the listen URLs: a wildcard host (0.0.0.0, *, +, [::]) is
    /// reached as 127.0.0.1 (or [::1]); the port is kept.</summary>
    public static string LocalHealthUrl(string listenUrls)
    {
        var first = listenUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? BotConfiguration.DefaultUrls;
        var schemeEnd = first.IndexOf("://", StringComparison.Ordinal);
        var scheme = schemeEnd > 0 ? first[..schemeEnd] : "http";
        var rest = schemeEnd > 0 ? first[(schemeEnd + 3)..] : first;
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']') + 1 : rest.IndexOfAny([':', '/']);
        var host = hostEnd > 0 ? rest[..hostEnd] : rest;
        var port = hostEnd > 0 && hostEnd < rest.Length && rest[hostEnd] == ':' ? rest[(hostEnd + 1)..].Split('/')[0] : (scheme == "https" ? "443" : "80");
        host = host switch
        {
            "0.0.0.0" or "*" or "+" or "" => "127.0.0.1",
            "[::]" => "[::1]",
            _ => host,
        };
        return $"{scheme}://{host}:{port}/healthz";
    }
}
