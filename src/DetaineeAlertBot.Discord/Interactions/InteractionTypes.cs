using System.Numerics;

namespace DetaineeAlertBot.Discord.Interactions;

/// <summary>Interaction types. https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-interaction-type</summary>
public static class InteractionType
{
    public const int Ping = 1;
    public const int ApplicationCommand = 2;
    public const int MessageComponent = 3;
    public const int ApplicationCommandAutocomplete = 4;
    public const int ModalSubmit = 5;
}

/// <summary>Interaction callback types. https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-interaction-callback-type</summary>
public static class InteractionCallbackType
{
    public const int Pong = 1;
    public const int ChannelMessageWithSource = 4;
    public const int DeferredChannelMessageWithSource = 5;
    /// <summary>Components (and modal submits from a component) only: acknowledge now, edit the component's message later
    /// (<c>PATCH …/messages/@original</c>); the user sees no loading state.</summary>
    public const int DeferredUpdateMessage = 6;
    /// <summary>Components (and modal submits from a component) only: edit the message the component is on.</summary>
    public const int UpdateMessage = 7;
    public const int ApplicationCommandAutocompleteResult = 8;
    /// <summary>Opens a modal. Only as the first response to a command or a component, never to a modal submit or after a deferral.</summary>
    public const int Modal = 9;
}

/// <summary>Message flags used in responses.</summary>
public static class MessageFlags
{
    /// <summary>Only the invoking user sees the message.</summary>
    public const int Ephemeral = 1 << 6;
}

/// <summary>Permission bits. Permissions arrive as a decimal string of arbitrary length: parse with <see cref="BigInteger"/>.</summary>
public static class DiscordPermissions
{
    public static readonly BigInteger Administrator = BigInteger.One << 3;
    public static readonly BigInteger ManageGuild = BigInteger.One << 5;
    public static readonly BigInteger ViewChannel = BigInteger.One << 10;
    public static readonly BigInteger SendMessages = BigInteger.One << 11;
    public static readonly BigInteger EmbedLinks = BigInteger.One << 14;

    /// <summary>True when <paramref name="permissions"/> (a decimal string) has any of <paramref name="bits"/>; false for missing or malformed input.</summary>
    public static bool HasAny(string? permissions, BigInteger bits) =>
        permissions is { Length: > 0 and <= 100 }
        && BigInteger.TryParse(permissions, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
        && (value & bits) != BigInteger.Zero;
}
