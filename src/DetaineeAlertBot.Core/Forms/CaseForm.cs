using DetaineeAlertBot.Core.Commands;

namespace DetaineeAlertBot.Core.Forms;

/// <summary>Which form: a status update of a known case, a new case, or a new case's details (Discord's second step:
/// its forms hold at most five fields).</summary>
public enum CaseFormKind
{
    UpdateStatus,
    NewCase,
    NewCaseDetails,
}

public enum FormFieldKind
{
    ShortText,
    Paragraph,

    /// <summary>A contract status word (Slack: a select; Discord: text, checked on submit).</summary>
    Status,

    /// <summary>yyyy-MM-dd (Slack: a date picker; Discord: text, checked on submit).</summary>
    Date,

    /// <summary>An http(s) link.</summary>
    Link,
}

/// <summary>One field of a form: its id is the platform's input id (and the key of submitted values and of errors).</summary>
public sealed record FormField(string Id, string Label, FormFieldKind Kind, bool Required, int MaxLength, string? Value = null, string? Placeholder = null);

/// <summary>A form to show: the platforms render it (Discord modal, Slack views.open). <see cref="SessionId"/> is the only
/// reference it carries (Discord custom_id, Slack private_metadata): which case and who opened it stay with us.</summary>
public sealed record CaseForm(string SessionId, CaseFormKind Kind, string Title, string SubmitLabel, IReadOnlyList<FormField> Fields);

/// <summary>What opening a form comes to: the form, or a reply instead (a refusal, an unknown case).</summary>
public sealed record FormOpening(CaseForm? Form, CommandReply? Reply)
{
    public static FormOpening Show(CaseForm form) => new(form, null);

    public static FormOpening Answer(CommandReply reply) => new(null, reply);
}

/// <summary>The values a person submitted, by field id.</summary>
public sealed record FormSubmission(string SessionId, IReadOnlyDictionary<string, string?> Values, CommandContext Who);

/// <summary>What a submission came to: errors by field id (shown in the form where the platform can), or a reply; and,
/// after Discord's first new-case step, the form of its second.</summary>
public sealed record FormOutcome(IReadOnlyDictionary<string, string> Errors, CommandReply Reply, CaseForm? Next = null)
{
    public bool Failed => Errors.Count > 0;
}
