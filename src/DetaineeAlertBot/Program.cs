using DetaineeAlertBot.Hosting;

// `--healthcheck [URL]` is the container HEALTHCHECK (the runtime image has no curl): exit 0 when /healthz answers 2xx.
// Without a URL it reads Urls from the configuration, so it follows the port the bot listens on.
if (args is ["--healthcheck", .. var rest])
{
    var url = rest is [var first, ..] && first.Contains("://", StringComparison.Ordinal) ? first : null;
    return await HealthProbe.RunAsync(url, url is null ? rest : rest[1..]);
}

// The composition root: everything is wired in Hosting/BotApplication.cs so tests build the same app.
return await BotApplication.RunAsync(args);
