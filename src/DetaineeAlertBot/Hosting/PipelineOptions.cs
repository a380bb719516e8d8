using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Sources;

namespace DetaineeAlertBot.Hosting;

/// <summary>The contract's Sources array (Sources:N). With no Sources configured anywhere the sample is configured
/// instead (<see cref="BotConfiguration.AddSampleWhenUnconfigured"/>), so an empty list means Sample:Enabled=false.</summary>
public sealed class SourcesOptions : IValidatableOptions
{
    public const string SectionName = "Sources";
    public const string SampleName = "sample";
    public const string SamplePath = "config/cases.sample.json";

    public List<CaseSourceOptions> Items { get; } = [];

    /// <summary>Binds Sources:N one entry at a time: binding the list whole, the binder drops an entry with a value it
    /// cannot convert without a word, and that source would silently not be polled.</summary>
    public static void Bind(SourcesOptions options, IConfiguration configuration)
    {
        foreach (var child in configuration.GetSection(SectionName).GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            var item = new CaseSourceOptions();
            child.Bind(item);
            options.Items.Add(item);
        }
    }

    /// <summary>The configured source names, read without binding, for checks of other sections: they must not fail,
    /// or repeat Sources' own problems, because a source has a bad value.</summary>
    public static IReadOnlyList<string> ConfiguredNames(IConfiguration configuration) =>
        configuration.GetSection(SectionName).GetChildren().Select(child => child["Name"] ?? "").ToArray();

    public IEnumerable<string> Validate()
    {
        for (var i = 0; i < Items.Count; i++)
        {
            foreach (var failure in Items[i].Validate(i)) yield return failure;
        }
        foreach (var duplicate in Items.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Key.Length > 0 && g.Count() > 1))
        {
            yield return $"Sources: the name '{duplicate.Key}' is used by {duplicate.Count()} sources: give each source its own Name (case ids are unique per source).";
        }
    }

    /// <summary>Settings that start but deserve a look (CaseSourceOptions.Warnings), logged once at start.</summary>
    public IEnumerable<string> Warnings() => Items.SelectMany((item, index) => item.Warnings(index));
}

/// <summary>Push ingest (POST /api/v1/cases): off while ApiKey is empty.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";
    public const string DefaultSource = "push";

    /// <summary>Trimmed once when read, so the key that is validated is the key that is compared.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>The source names a push may name (<c>?source=</c>); any other name is refused. A push cannot create a
    /// source: a new name would be baselined quietly and could then be used to forge alerts.</summary>
    public IReadOnlyList<string> Sources { get; set; } = [DefaultSource];

    /// <summary>Largest accepted request body; larger gets 413.</summary>
    public long MaxDocumentBytes { get; set; } = 16L * 1024 * 1024;

    public bool Enabled => ApiKey.Length > 0;

    /// <summary>What the binder cannot do: trim the key, and read Ingest:Sources as a list that replaces the default.</summary>
    public static void Normalize(IngestOptions options, IConfiguration configuration)
    {
        options.ApiKey = options.ApiKey.Trim();
        options.Sources = PushSources(configuration);
    }

    public static IReadOnlyList<string> PushSources(IConfiguration configuration) =>
        BotOptions.ListOr(configuration.GetSection($"{SectionName}:Sources"), [DefaultSource]);

    public IEnumerable<string> Validate(IEnumerable<string> polledSources)
    {
        if (Enabled && ApiKey.Length < 16)
        {
            yield return "Ingest:ApiKey is shorter than 16 characters: use a long random key (e.g. `openssl rand -hex 32`), or leave it empty to turn push ingest off.";
        }
        if (MaxDocumentBytes <= 0) yield return "Ingest:MaxDocumentBytes must be a positive number of bytes, e.g. 16777216.";
        if (Sources.Count == 0) yield return $"Ingest:Sources is empty: list the source names pushes may use (default \"{DefaultSource}\").";
        foreach (var name in Sources.Where(n => n.Contains(':') || n.Length > 100))
        {
            yield return $"Ingest:Sources contains '{name}': a source name has no ':' and at most 100 characters.";
        }
        var polled = polledSources.ToHashSet(StringComparer.Ordinal);
        foreach (var name in Sources.Where(polled.Contains))
        {
            yield return $"Ingest:Sources contains '{name}', which is also Sources:N:Name of a polled source: pushes into it would mark its "
                + "cases not seen on every push. Push into a name of its own (e.g. \"push\").";
        }
    }
}

/// <summary>The source names cases can come from, read from configuration: polled, and pushed while push ingest is on.</summary>
public static class KnownSources
{
    public static IReadOnlyList<string> In(IConfiguration configuration) =>
        SourcesOptions.ConfiguredNames(configuration)
            .Concat(configuration.IsSet($"{IngestOptions.SectionName}:ApiKey") ? IngestOptions.PushSources(configuration) : [])
            .Distinct(StringComparer.Ordinal).ToArray();
}

/// <summary>One Watchlists:N entry of the configuration, seeded at start.</summary>
public sealed class WatchlistSeedOptions
{
    public const string SectionName = "Watchlists";

    public string Platform { get; set; } = "";

    public string ChannelId { get; set; } = "";

    public IReadOnlyList<string> Cases { get; set; } = [];

    /// <summary>"card" or "plain" for this entry's channel; null leaves the stored style (card unless an admin chose).</summary>
    public string? Style { get; set; }

    /// <summary>Reads Watchlists:N; Cases may be an array or one comma-separated string. With no Watchlists configured
    /// anywhere the list is empty, unless the sample is on (<see cref="BotConfiguration.AddSampleWhenUnconfigured"/>).</summary>
    public static List<WatchlistSeedOptions> Read(IConfiguration configuration) =>
        configuration.GetSection(SectionName).GetChildren()
            .OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue)
            .Select(child => new WatchlistSeedOptions
            {
                Platform = child["Platform"]?.Trim().ToLowerInvariant() ?? "",
                ChannelId = child["ChannelId"]?.Trim() ?? "",
                Cases = BotConfiguration.ReadList(child.GetSection("Cases")),
                Style = string.IsNullOrWhiteSpace(child["Style"]) ? null : child["Style"]!.Trim(),
                Digest = Trimmed(child, "Digest"),
                Rule = child.GetSection("Rule").Exists()
                    ? new RuleSeed(Trimmed(child, "Rule:Country"), Trimmed(child, "Rule:Nationality"), Trimmed(child, "Rule:HeldBy"), Trimmed(child, "Rule:Source"),
                        child.GetSection("Rule:Status").GetChildren().Any()
                            ? string.Join(",", BotConfiguration.ReadList(child.GetSection("Rule:Status")))
                            : Trimmed(child, "Rule:Status"))
                    : null,
            })
            .ToList();

    /// <summary>Watchlists:N:Rule:*, when the entry follows a rule instead of listed cases.</summary>
    public RuleSeed? Rule { get; set; }

    /// <summary>"off" or a digest schedule for this entry's channel ("daily 09:00 Europe/Berlin"); null leaves the stored one
    /// (off unless an admin chose).</summary>
    public string? Digest { get; set; }

    public WatchlistSeed ToSeed() => new(Platform, ChannelId, Cases, Style, Rule, Digest);

    private static string? Trimmed(IConfiguration section, string key) => string.IsNullOrWhiteSpace(section[key]) ? null : section[key]!.Trim();

    /// <summary>The entries with the source names they may name (<see cref="WatchlistSeeds"/> holds the rules).</summary>
    public static WatchlistSeeds Seeds(IEnumerable<WatchlistSeedOptions> entries, IReadOnlyList<string> knownSources) =>
        new([.. entries.Select(e => e.ToSeed())], knownSources);
}

/// <summary>Alert delivery (Alerts:*): how long failing alerts are retried, where problems are reported, how long
/// delivered rows are kept.</summary>
public sealed class AlertOptions : IValidatableOptions
{
    public const string SectionName = "Alerts";

    /// <summary>How long a failing alert keeps being retried before it is a dead letter.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Delivered rows older than this are pruned (the status history is kept).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>discord:&lt;channel id&gt;, slack:&lt;channel id&gt; or console.</summary>
    public IReadOnlyList<string> AdminChannels { get; set; } = [Platforms.Console];

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a paused platform (token rejected) is checked again.</summary>
    public TimeSpan PlatformProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a paused channel (deleted, no access) is tried again.</summary>
    public TimeSpan ChannelRetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>More than this many status changes of one case inside <see cref="FlapWindow"/> make it flapping: one
    /// "changing repeatedly" notice, then one "settled" alert (0 turns this off).</summary>
    public int FlapThreshold { get; set; } = Core.Changes.FlapPolicy.Default.Threshold;

    /// <summary>The sliding window flapping is counted in, and the quiet time after which a flapping case has settled.</summary>
    public TimeSpan FlapWindow { get; set; } = Core.Changes.FlapPolicy.Default.Window;

    public Core.Changes.FlapPolicy Flapping() => new(FlapThreshold, FlapWindow);

    /// <summary>What the binder cannot do: read Alerts:AdminChannels as a list that replaces the default.</summary>
    public static void Normalize(AlertOptions options, IConfiguration configuration) =>
        options.AdminChannels = BotOptions.ListOr(configuration.GetSection($"{SectionName}:{nameof(AdminChannels)}"), [Platforms.Console]);

    /// <summary>The admin channels as report targets (valid entries only; <see cref="Validate"/> names the others).</summary>
    public IReadOnlyList<Core.Storage.ReportTarget> ReportTargets() => AdminChannels
        .Select(ParseAdminChannel).Where(t => t is not null).Select(t => t!).Distinct().ToArray();

    private static Core.Storage.ReportTarget? ParseAdminChannel(string entry)
    {
        var text = entry.Trim();
        if (string.Equals(text, Platforms.Console, StringComparison.OrdinalIgnoreCase)) return new(Platforms.Console, Platforms.Console);
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return null;
        var platform = text[..colon].Trim().ToLowerInvariant();
        var channel = text[(colon + 1)..].Trim();
        return platform is Platforms.Discord or Platforms.Slack && channel.Length > 0 ? new(platform, channel) : null;
    }

    public IEnumerable<string> Validate()
    {
        if (GiveUpAfter < TimeSpan.FromSeconds(1) || GiveUpAfter > TimeSpan.FromDays(90))
            yield return $"Alerts:GiveUpAfter '{GiveUpAfter}' is out of range: use 00:00:01 to 90.00:00:00 (default 2.00:00:00).";
        if (Retention < TimeSpan.FromHours(1))
            yield return $"Alerts:Retention '{Retention}' is too short: use at least 01:00:00 (default 30.00:00:00).";
        if (RetryBaseDelay <= TimeSpan.Zero) yield return "Alerts:RetryBaseDelay must be positive, e.g. 00:00:02.";
        if (RetryMaxDelay < RetryBaseDelay) yield return "Alerts:RetryMaxDelay must be at least Alerts:RetryBaseDelay.";
        if (PlatformProbeInterval < TimeSpan.FromSeconds(1) || PlatformProbeInterval > TimeSpan.FromMinutes(10))
            yield return $"Alerts:PlatformProbeInterval '{PlatformProbeInterval}' is out of range: use 00:00:01 to 00:10:00 (default 00:00:30).";
        if (ChannelRetryInterval < TimeSpan.FromSeconds(1) || ChannelRetryInterval > TimeSpan.FromHours(1))
            yield return $"Alerts:ChannelRetryInterval '{ChannelRetryInterval}' is out of range: use 00:00:01 to 01:00:00 (default 00:05:00).";
        if (FlapThreshold < 0 || FlapThreshold > 1000)
            yield return $"Alerts:FlapThreshold '{FlapThreshold}' is out of range: use 1 to 1000 changes (default 3), or 0 to turn flap damping off.";
        if (FlapWindow < TimeSpan.FromMinutes(1) || FlapWindow > TimeSpan.FromDays(1))
            yield return $"Alerts:FlapWindow '{FlapWindow}' is out of range: use 00:01:00 to 1.00:00:00 (default 00:10:00).";
        if (AdminChannels.Count == 0) yield return "Alerts:AdminChannels is empty: list at least one of discord:<channel id>, slack:<channel id>, console.";
        foreach (var entry in AdminChannels.Where(e => ParseAdminChannel(e) is null))
            yield return $"Alerts:AdminChannels '{entry}' is not discord:<channel id>, slack:<channel id> or console.";
    }
}

/// <summary>The Watchlists:N section as options (see <see cref="WatchlistSeedOptions.Read"/>).</summary>
public sealed class WatchlistsOptions
{
    public List<WatchlistSeedOptions> Entries { get; set; } = [];
}

/// <summary>Ingest:Sources must not name a polled source: checked against Sources:N:Name as configured.</summary>
public sealed class IngestOptionsValidator(IConfiguration configuration) : BotOptionsValidator<IngestOptions>
{
    protected override IEnumerable<string> Failures(IngestOptions options) => options.Validate(SourcesOptions.ConfiguredNames(configuration));
}

/// <summary>A bare case id needs exactly one source it can come from: checked against the configured sources.</summary>
public sealed class WatchlistsOptionsValidator(IConfiguration configuration) : BotOptionsValidator<WatchlistsOptions>
{
    protected override IEnumerable<string> Failures(WatchlistsOptions options) =>
        WatchlistSeedOptions.Seeds(options.Entries, KnownSources.In(configuration)).Validate(WatchlistSeedOptions.SectionName);
}

/// <summary>Sample:Enabled (default true): whether the sample source and console watchlist are configured while nothing
/// else configures Sources (<see cref="BotConfiguration.AddSampleWhenUnconfigured"/>). Bound only so that a value that is
/// not true or false is reported with the other problems.</summary>
public sealed class SampleOptions
{
    public const string SectionName = "Sample";

    public bool Enabled { get; set; } = true;
}
