# syntax=docker/dockerfile:1
# Build: docker build -t detainee-alert-bot .
# Run:   docker run -p 8080:8080 -v detainee-data:/app/data detainee-alert-bot

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, on the project files only, so source edits do not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props DetaineeAlertBot.sln ./
COPY src/DetaineeAlertBot/DetaineeAlertBot.csproj src/DetaineeAlertBot/
COPY src/DetaineeAlertBot.Core/DetaineeAlertBot.Core.csproj src/DetaineeAlertBot.Core/
COPY src/DetaineeAlertBot.Sources/DetaineeAlertBot.Sources.csproj src/DetaineeAlertBot.Sources/
COPY src/DetaineeAlertBot.Storage/DetaineeAlertBot.Storage.csproj src/DetaineeAlertBot.Storage/
COPY src/DetaineeAlertBot.Search/DetaineeAlertBot.Search.csproj src/DetaineeAlertBot.Search/
COPY src/DetaineeAlertBot.Discord/DetaineeAlertBot.Discord.csproj src/DetaineeAlertBot.Discord/
COPY src/DetaineeAlertBot.Slack/DetaineeAlertBot.Slack.csproj src/DetaineeAlertBot.Slack/
COPY src/DetaineeAlertBot.Resilience/DetaineeAlertBot.Resilience.csproj src/DetaineeAlertBot.Resilience/
RUN dotnet restore src/DetaineeAlertBot/DetaineeAlertBot.csproj
COPY src/ src/
RUN dotnet publish src/DetaineeAlertBot/DetaineeAlertBot.csproj -c Release -o /out --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out ./bin/
COPY config/ ./config/
# The SQLite database lives in /app/data: mount a volume there to keep cases, history and the outbox.
RUN mkdir -p /app/data && chown -R app:app /app/data
VOLUME ["/app/data"]
USER app
# Inside a container the endpoints must listen beyond loopback; set Urls or ASPNETCORE_URLS to narrow it.
# Without Sources__N__* (or with Sample__Enabled=false) see README, "The sample": the sample feed is not for production.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    DOTNET_ENVIRONMENT=Production
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["dotnet", "/app/bin/DetaineeAlertBot.dll", "--healthcheck"]
ENTRYPOINT ["dotnet", "/app/bin/DetaineeAlertBot.dll"]
