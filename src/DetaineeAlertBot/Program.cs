using DetaineeAlertBot.Hosting;

// `--healthcheck URL` is the container HEALTHCHECK (the runtime image has no curl): exit 0 when the URL answers 2xx.
if (args is ["--healthcheck", var url])
{
    return await HealthProbe.RunAsync(url);
}

// The composition root: everything is wired in Hosting/BotApplication.cs so tests build the same app.
return await BotApplication.RunAsync(args);
