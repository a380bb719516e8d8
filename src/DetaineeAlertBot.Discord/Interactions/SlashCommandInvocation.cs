using System.Text.Json;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Discord.Interactions;

/// <summary>
/// A chat-input command or autocomplete flattened: <c>/watchlist add query:Amir</c> becomes
/// Command "watchlist", Subcommand "add", Options {query: "Amir"}. Subcommand groups add one level.
/// </summary>
public sealed record SlashCommandInvocation(
    string Command,
    string? Group,
    string? Subcommand,
    IReadOnlyDictionary<string, string> Options,
    string? FocusedOption)
{
    private const int SubCommand = 1;
    private const int SubCommandGroup = 2;

    /// <summary>The value of a string option, or null.</summary>
    public string? Get(string name) => Options.TryGetValue(name, out var value) ? value : null;

    /// <summary>Reads an APPLICATION_COMMAND or AUTOCOMPLETE interaction; null for other types.</summary>
    public static SlashCommandInvocation? From(Interaction interaction)
    {
        if (interaction.Type is not (InteractionType.ApplicationCommand or InteractionType.ApplicationCommandAutocomplete) || interaction.Data is not { } data)
        {
            return null;
        }

        string? group = null, subcommand = null, focused = null;
        var options = data.Options ?? [];
        if (options is [{ Type: SubCommandGroup } g])
        {
            group = g.Name;
            options = g.Options ?? [];
        }

        if (options is [{ Type: SubCommand } sub])
        {
            subcommand = sub.Name;
            options = sub.Options ?? [];
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in options)
        {
            if (option.Value is { } value)
            {
                values[option.Name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }

            if (option.Focused == true)
            {
                focused = option.Name;
            }
        }

        return new SlashCommandInvocation(data.Name, group, subcommand, values, focused);
    }
}
