using System.Globalization;

namespace DetaineeAlertBot.Discord.Models;

/// <summary>
/// Limits of legacy message components and modals, checked before sending: a violation throws
/// <see cref="ArgumentException"/> naming the component (the payload would be rejected with 50035 anyway).
/// https://discord.com/developers/docs/components/reference and …/interactions/receiving-and-responding#interaction-response-object-modal
/// </summary>
public static class ComponentLimits
{
    public const int CustomId = 100;
    /// <summary>Top-level action rows in a (non components v2) message.</summary>
    public const int ActionRows = 5;
    public const int ButtonsPerRow = 5;
    public const int ButtonLabel = 80;
    public const int LinkUrl = 512;
    public const int ModalTitle = 45;
    /// <summary>Rows (one text input each) in a modal.</summary>
    public const int ModalRows = 5;
    public const int TextInputLabel = 45;
    public const int TextInputValue = 4000;
    public const int TextInputPlaceholder = 100;

    /// <summary>Checks the components of a message (create, edit, type 4/7 response, @original edit, follow-up):
    /// at most 5 action rows of 1-5 buttons; custom_id 1-100 characters and unique within the message; link buttons
    /// have a url (≤512) and no custom_id, the others a custom_id and no url; label 1-80 characters.</summary>
    /// <exception cref="ArgumentException">A limit is violated.</exception>
    public static void ValidateMessage(IReadOnlyList<MessageComponent>? rows)
    {
        if (rows is null)
        {
            return;
        }

        if (rows.Count > ActionRows)
        {
            throw Invalid($"a message holds at most {ActionRows} action rows, not {rows.Count}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw Invalid($"components[{r}] is null");
            if (row.Type != ComponentType.ActionRow)
            {
                throw Invalid($"components[{r}] must be an action row (type 1), not type {row.Type}");
            }

            var children = row.Components ?? [];
            if (children.Count is 0 or > ButtonsPerRow)
            {
                throw Invalid($"components[{r}] must hold 1-{ButtonsPerRow} buttons, not {children.Count}");
            }

            for (var c = 0; c < children.Count; c++)
            {
                var where = $"components[{r}].components[{c}]";
                var button = children[c] ?? throw Invalid($"{where} is null");
                if (button.Type != ComponentType.Button)
                {
                    throw Invalid($"{where} must be a button (type 2), not type {button.Type}");
                }

                if (button.Style is not (>= ButtonStyle.Primary and <= ButtonStyle.Link))
                {
                    throw Invalid($"{where} has button style {button.Style?.ToString(CultureInfo.InvariantCulture) ?? "null"}; use 1-5");
                }

                if (string.IsNullOrWhiteSpace(button.Label) || button.Label.Length > ButtonLabel)
                {
                    throw Invalid($"{where}.label must be 1-{ButtonLabel} characters (is {button.Label?.Length ?? 0})");
                }

                if (button.Style == ButtonStyle.Link)
                {
                    if (button.CustomId is not null)
                    {
                        throw Invalid($"{where} is a link button: it has a url and no custom_id");
                    }

                    if (string.IsNullOrWhiteSpace(button.Url) || button.Url.Length > LinkUrl)
                    {
                        throw Invalid($"{where}.url must be 1-{LinkUrl} characters (is {button.Url?.Length ?? 0})");
                    }
                }
                else
                {
                    if (button.Url is not null)
                    {
                        throw Invalid($"{where} has a url: only link buttons (style 5) have one");
                    }

                    CheckCustomId(button.CustomId, where);
                    if (!ids.Add(button.CustomId!))
                    {
                        throw Invalid($"{where}.custom_id '{button.CustomId}' is used twice in the message");
                    }
                }
            }
        }
    }

    /// <summary>Checks a modal (type 9 data): custom_id 1-100, title 1-45, 1-5 action rows of exactly one text input each,
    /// with custom_id 1-100 (unique), label 1-45, style 1 or 2, min_length 0-4000, max_length 1-4000, value ≤4000,
    /// placeholder ≤100, not disabled.</summary>
    /// <exception cref="ArgumentException">A limit is violated.</exception>
    public static void ValidateModal(InteractionCallbackData? modal)
    {
        if (modal is null)
        {
            throw Invalid("a modal response needs data (custom_id, title, components)");
        }

        CheckCustomId(modal.CustomId, "modal");
        if (string.IsNullOrWhiteSpace(modal.Title) || modal.Title.Length > ModalTitle)
        {
            throw Invalid($"modal.title must be 1-{ModalTitle} characters (is {modal.Title?.Length ?? 0})");
        }

        var rows = modal.Components ?? [];
        if (rows.Count is 0 or > ModalRows)
        {
            throw Invalid($"a modal holds 1-{ModalRows} rows, not {rows.Count}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            var where = $"modal.components[{r}]";
            if (row is not { Type: ComponentType.ActionRow, Components: [var input] })
            {
                throw Invalid($"{where} must be an action row (type 1) holding exactly one text input");
            }

            where += ".components[0]";
            if (input.Type != ComponentType.TextInput)
            {
                throw Invalid($"{where} must be a text input (type 4), not type {input.Type}");
            }

            CheckCustomId(input.CustomId, where);
            if (!ids.Add(input.CustomId!))
            {
                throw Invalid($"{where}.custom_id '{input.CustomId}' is used twice in the modal");
            }

            if (string.IsNullOrWhiteSpace(input.Label) || input.Label.Length > TextInputLabel)
            {
                throw Invalid($"{where}.label must be 1-{TextInputLabel} characters (is {input.Label?.Length ?? 0})");
            }

            if (input.Style is not (TextInputStyle.Short or TextInputStyle.Paragraph))
            {
                throw Invalid($"{where}.style must be 1 (short) or 2 (paragraph)");
            }

            if (input.MinLength is < 0 or > TextInputValue)
            {
                throw Invalid($"{where}.min_length must be 0-{TextInputValue}");
            }

            if (input.MaxLength is < 1 or > TextInputValue || (input.MaxLength < input.MinLength))
            {
                throw Invalid($"{where}.max_length must be 1-{TextInputValue} and not below min_length");
            }

            if (input.Value is { Length: > TextInputValue })
            {
                throw Invalid($"{where}.value must be at most {TextInputValue} characters (is {input.Value.Length})");
            }

            if (input.Value is { } value && (value.Length > input.MaxLength || (value.Length > 0 && value.Length < input.MinLength)))
            {
                throw Invalid($"{where}.value ({value.Length} characters) must fit min_length/max_length");
            }

            if (input.Placeholder is { Length: > TextInputPlaceholder })
            {
                throw Invalid($"{where}.placeholder must be at most {TextInputPlaceholder} characters (is {input.Placeholder.Length})");
            }

            if (input.Disabled == true)
            {
                throw Invalid($"{where}: modals cannot contain disabled components");
            }
        }
    }

    /// <summary>Checks an interaction response: a modal for type 9, the message components otherwise.</summary>
    /// <exception cref="ArgumentException">A limit is violated.</exception>
    public static void Validate(InteractionResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Type == Interactions.InteractionCallbackType.Modal)
        {
            ValidateModal(response.Data);
        }
        else
        {
            ValidateMessage(response.Data?.Components);
        }
    }

    private static void CheckCustomId(string? customId, string where)
    {
        if (string.IsNullOrEmpty(customId) || customId.Length > CustomId)
        {
            throw Invalid($"{where}.custom_id must be 1-{CustomId} characters (is {customId?.Length ?? 0})");
        }
    }

    private static ArgumentException Invalid(string problem) => new($"Invalid Discord components: {problem}.");
}
