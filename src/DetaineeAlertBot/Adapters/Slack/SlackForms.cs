using System.Globalization;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Forms;
using DetaineeAlertBot.Core.Watchlists;
using DetaineeAlertBot.Slack.Blocks;
using DetaineeAlertBot.Slack.Models;
using DetaineeAlertBot.Slack.WebApi;

namespace DetaineeAlertBot.Adapters.Slack;

/// <summary>
/// The case forms as Slack modals (views.open, within 3 s of the command's or button's trigger_id) and their
/// view_submission: statuses as a select, dates as a date picker, every field an input block whose block_id and action_id
/// are the field's id. The view carries the form's session id in private_metadata, nothing else. Validation errors go
/// back into the form (<c>response_action: errors</c>); a saved form is replaced by a confirmation.
/// </summary>
public sealed class SlackForms(CaseForms forms, SlackAccess access, SlackApiClient api, ILogger<SlackForms> logger)
{
    public const string CallbackId = "case_form";

    /// <summary>Opens <paramref name="opening"/>'s form on <paramref name="triggerId"/>; returns the reply to give instead
    /// (a refusal, or why the form could not open), or null when it opened.</summary>
    public async Task<CommandReply?> OpenAsync(FormOpening opening, string? triggerId, CancellationToken ct)
    {
        if (opening.Form is not { } form) return opening.Reply;
        if (string.IsNullOrEmpty(triggerId)) return CommandReply.Error("Slack sent no trigger for a form; please try again.");
        try
        {
            await api.OpenViewAsync(triggerId, View(form), ct).ConfigureAwait(false);
            return null;
        }
        catch (SlackApiException e)
        {
            logger.LogWarning("Slack did not open the {Form} form: {Error}", form.Kind, e.Message);
            return CommandReply.Error($"Slack did not open the form ({e.Error}); please try again.");
        }
    }

    /// <summary>A view_submission of one of our forms: the answer that goes back in the ack (errors, or a confirmation).</summary>
    public async Task<InteractionResponse?> SubmitAsync(InteractionPayload payload, CancellationToken ct)
    {
        if (payload.Type != InteractionPayload.ViewSubmission || payload.View is not { CallbackId: CallbackId } view || payload.User is null) return null;
        var caller = await access.CheckAsync(payload.Team?.Id ?? payload.User.TeamId, payload.ApiAppId, payload.User.Id, ct).ConfigureAwait(false);
        if (!caller.Allowed) return InteractionResponse.UpdateView(Confirmation("Not allowed", caller.Refusal!));
        var who = new CommandContext(Platforms.Slack, "", payload.User.Id, payload.User.Name ?? payload.User.Username, caller.IsAdmin);
        var values = FieldIds.ToDictionary(id => id, id => view.GetValue(id, id), StringComparer.Ordinal);
        var outcome = await forms.SubmitAsync(new FormSubmission(view.PrivateMetadata ?? "", values, who), ct).ConfigureAwait(false);
        if (outcome.Failed) return InteractionResponse.WithErrors(outcome.Errors);
        return InteractionResponse.UpdateView(Confirmation(outcome.Reply.Title ?? "Done", outcome.Reply.Text));
    }

    public static SlackView View(CaseForm form)
    {
        var builder = new SlackModalBuilder(CallbackId, form.Title).Submit(form.SubmitLabel).Close("Cancel").PrivateMetadata(form.SessionId);
        foreach (var field in form.Fields)
        {
            switch (field.Kind)
            {
                case FormFieldKind.Status:
                    builder.Select(field.Id, field.Label, field.Id, CaseStatuses.All.Select(s => new SlackOption(s.ToDisplay(), s.ToWire())), field.Value, optional: !field.Required);
                    break;
                case FormFieldKind.Date:
                    builder.DatePicker(field.Id, field.Label, field.Id,
                        DateOnly.TryParseExact(field.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null, optional: !field.Required);
                    break;
                default:
                    builder.TextInput(field.Id, field.Label, field.Id, multiline: field.Kind == FormFieldKind.Paragraph, initialValue: field.Value,
                        maxLength: field.MaxLength, placeholder: field.Placeholder, optional: !field.Required);
                    break;
            }
        }
        return builder.Build().View;
    }

    private static SlackView Confirmation(string title, string text) =>
        new SlackModalBuilder(CallbackId + "_done", "Case form").Close("Done").Section($"*{SlackText.Escape(title)}*\n{SlackText.Escape(text)}").Build().View;

    private static readonly string[] FieldIds =
    [
        CaseForms.Fields.Status, CaseForms.Fields.Since, CaseForms.Fields.Link, CaseForms.Fields.Note, CaseForms.Fields.Name, CaseForms.Fields.Aliases,
        CaseForms.Fields.Nationality, CaseForms.Fields.Country, CaseForms.Fields.HeldBy, CaseForms.Fields.Location,
    ];
}
