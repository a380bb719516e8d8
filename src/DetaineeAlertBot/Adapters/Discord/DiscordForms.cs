using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Discord.Interactions;
using DetaineeAlertBot.Discord.Models;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>
/// The case forms as Discord modals (type 9): one short or paragraph text input per field (Discord modals hold text inputs
/// only, at most five; statuses and dates are checked on submit). The modal's custom id is "form:&lt;session id&gt;" and a
/// "form:r:&lt;session id&gt;" button opens a form again (after errors, with what was typed; or the new case's second step),
/// because Discord cannot answer a modal with another modal.
/// </summary>
public static class DiscordForms
{
    private const string ModalPrefix = "form:";
    private const string ReopenPrefix = "form:r:";

    public static InteractionResponse Modal(CaseForm form) => new()
    {
        Type = InteractionCallbackType.Modal,
        Data = InteractionCallbackData.Modal(ModalPrefix + form.SessionId, Cut(form.Title, ComponentLimits.ModalTitle),
            [.. form.Fields.Take(ComponentLimits.ModalRows).Select(field => MessageComponent.ActionRow(MessageComponent.TextInput(
                field.Id,
                Cut(field.Label, ComponentLimits.TextInputLabel),
                field.Kind == FormFieldKind.Paragraph ? TextInputStyle.Paragraph : TextInputStyle.Short,
                required: field.Required,
                value: string.IsNullOrEmpty(field.Value) ? null : Cut(field.Value, Math.Min(field.MaxLength, ComponentLimits.TextInputValue)),
                placeholder: field.Placeholder is null ? null : Cut(field.Placeholder, ComponentLimits.TextInputPlaceholder),
                maxLength: Math.Min(field.MaxLength, ComponentLimits.TextInputValue))))]),
    };

    /// <summary>A submission's answer, private to the person: what was saved, or what to fix with a button to fix it.</summary>
    public static InteractionResponse Answer(FormOutcome outcome, string sessionId)
    {
        var response = DiscordInteractionHandler.Render(outcome.Reply with { Ephemeral = true });
        string? reopen = outcome.Failed ? sessionId : outcome.Next?.SessionId;
        if (reopen is null) return response;
        var label = outcome.Failed ? "Fix and send again" : "Add where held";
        return response with
        {
            Data = response.Data! with { Components = [MessageComponent.ActionRow(MessageComponent.Button(ButtonStyle.Primary, label, ReopenPrefix + reopen))] },
        };
    }

    public static bool IsModal(string? customId, out string sessionId) => TryStrip(customId, ModalPrefix, out sessionId) && !customId!.StartsWith(ReopenPrefix, StringComparison.Ordinal);

    public static bool IsReopen(string? customId, out string sessionId) => TryStrip(customId, ReopenPrefix, out sessionId);

    private static bool TryStrip(string? customId, string prefix, out string sessionId)
    {
        sessionId = customId is not null && customId.StartsWith(prefix, StringComparison.Ordinal) ? customId[prefix.Length..] : "";
        return sessionId.Length is > 0 and <= 40 && sessionId.All(char.IsAsciiLetterOrDigit);
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
