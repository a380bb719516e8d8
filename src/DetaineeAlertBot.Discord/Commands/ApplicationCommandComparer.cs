using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Commands;

/// <summary>
/// Structural comparison of desired command definitions with what Discord has registered: order of commands
/// does not matter, order of options does; fields Discord fills in (id, version) and absent-vs-default
/// (<c>required: false</c>, empty options, type 1) are not differences.
/// </summary>
public static class ApplicationCommandComparer
{
    /// <summary>True when registering <paramref name="desired"/> would change nothing.</summary>
    public static bool SameCommands(IReadOnlyList<ApplicationCommand> desired, IReadOnlyList<ApplicationCommand> registered, bool guildScope)
    {
        if (desired.Count != registered.Count)
        {
            return false;
        }

        var byName = registered.GroupBy(c => (c.Name, c.Type ?? 1)).ToDictionary(g => g.Key, g => g.First());
        return desired.All(d => byName.TryGetValue((d.Name, d.Type ?? 1), out var r) && Same(d, r, guildScope));
    }

    private static bool Same(ApplicationCommand desired, ApplicationCommand registered, bool guildScope) =>
        desired.Description == registered.Description
        && desired.DefaultMemberPermissions == registered.DefaultMemberPermissions
        && (desired.Nsfw ?? false) == (registered.Nsfw ?? false)
        // contexts/integration_types only apply to global commands; when we do not set them, Discord's defaults are fine.
        && (guildScope || desired.Contexts is null || SameSet(desired.Contexts, registered.Contexts))
        && (guildScope || desired.IntegrationTypes is null || SameSet(desired.IntegrationTypes, registered.IntegrationTypes))
        && SameOptions(desired.Options, registered.Options);

    private static bool SameOptions(IReadOnlyList<ApplicationCommandOption>? desired, IReadOnlyList<ApplicationCommandOption>? registered)
    {
        desired ??= [];
        registered ??= [];
        return desired.Count == registered.Count && desired.Zip(registered).All(pair => SameOption(pair.First, pair.Second));
    }

    private static bool SameOption(ApplicationCommandOption d, ApplicationCommandOption r) =>
        d.Type == r.Type
        && d.Name == r.Name
        && d.Description == r.Description
        && (d.Required ?? false) == (r.Required ?? false)
        && (d.Autocomplete ?? false) == (r.Autocomplete ?? false)
        && d.MinLength == r.MinLength
        && d.MaxLength == r.MaxLength
        && (d.Choices ?? []).SequenceEqual(r.Choices ?? [])
        && SameOptions(d.Options, r.Options);

    private static bool SameSet(IReadOnlyList<int> a, IReadOnlyList<int>? b) => b is not null && a.Order().SequenceEqual(b.Order());
}
