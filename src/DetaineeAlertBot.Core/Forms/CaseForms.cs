using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Commands;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Core.Sync;
using Microsoft.Extensions.Logging;

namespace DetaineeAlertBot.Core.Forms;

/// <summary>
/// CaseForms opens and applies the "Update status" and "New case" forms (contract: /case update, /case add, the card's
/// Update status button). Only admins open or submit them. A form carries a session id only; the session (which case,
/// who opened it, where) stays here for <see cref="SessionLifetime"/>, and is submitted by the person who opened it. A
/// submission is validated field by field; a valid one is applied as source <c>manual</c> through the sync pipeline, so it
/// is stored with who made it and alerted to every watching channel like any change.
/// </summary>
public sealed class CaseForms(CaseCatalog catalog, SyncPipeline pipeline, ICardStore cards, TimeProvider time, ILogger<CaseForms> logger)
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromMinutes(30);

    public const int MaxSessions = 10_000;

    public const string AdminRefusal = "Only admins can change a case's status or add a case (ask someone who can change this channel's watchlist).";

    public const string Expired = "This form has expired or was opened by someone else; nothing was changed. Open it again with /case update or /case add.";

    private readonly ConcurrentDictionary<string, FormSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>"/case update query:…": the status form of that case, prefilled with what is stored now.</summary>
    public FormOpening OpenUpdate(string? query, CommandContext who)
    {
        if (!who.IsAdmin) return FormOpening.Answer(CommandReply.Refusal(AdminRefusal));
        var resolved = CaseResolver.Resolve(catalog, query);
        if (resolved.Reply is not null) return FormOpening.Answer(resolved.Reply);
        return FormOpening.Show(UpdateForm(NewSession(CaseFormKind.UpdateStatus, resolved.Case!.Case.Key, who), resolved.Case.Case, null));
    }

    /// <summary>The card's Update status button: the status form of the card's case (only in the card's channel).</summary>
    public async Task<FormOpening> OpenUpdateFromCardAsync(string cardId, CommandContext who, CancellationToken cancellationToken)
    {
        if (!who.IsAdmin) return FormOpening.Answer(CommandReply.Refusal(AdminRefusal));
        var card = await cards.FindByIdAsync(cardId, cancellationToken).ConfigureAwait(false);
        if (card is null || card.Platform != who.Platform || card.ChannelId != who.ChannelId || catalog.Find(card.Case) is not { } stored)
        {
            return FormOpening.Answer(CommandReply.Info(null, CardClicks.UnknownCard));
        }
        return FormOpening.Show(UpdateForm(NewSession(CaseFormKind.UpdateStatus, card.Case, who), stored.Case, null));
    }

    /// <summary>"/case add": the new-case form, with the where-held fields too when the platform's forms hold them.</summary>
    public FormOpening OpenNewCase(CommandContext who, bool withDetails)
    {
        if (!who.IsAdmin) return FormOpening.Answer(CommandReply.Refusal(AdminRefusal));
        var session = NewSession(CaseFormKind.NewCase, null, who) with { WithDetails = withDetails };
        _sessions[session.Id] = session;
        return FormOpening.Show(NewCaseForm(session, null));
    }

    /// <summary>A form again from its session (Discord: "Fix and send again", or the new case's second step).</summary>
    public FormOpening Reopen(string sessionId, CommandContext who)
    {
        if (!who.IsAdmin) return FormOpening.Answer(CommandReply.Refusal(AdminRefusal));
        if (Session(sessionId, who) is not { } session) return FormOpening.Answer(CommandReply.Info(null, Expired));
        return session.Kind switch
        {
            CaseFormKind.UpdateStatus when session.Case is { } key && catalog.Find(key) is { } stored => FormOpening.Show(UpdateForm(session, stored.Case, session.LastValues)),
            CaseFormKind.NewCase => FormOpening.Show(NewCaseForm(session, session.LastValues)),
            CaseFormKind.NewCaseDetails when session.Case is { } key && catalog.Find(key) is { } stored => FormOpening.Show(DetailsForm(session, stored.Case, session.LastValues)),
            _ => FormOpening.Answer(CommandReply.Info(null, Expired)),
        };
    }

    public async Task<FormOutcome> SubmitAsync(FormSubmission submission, CancellationToken cancellationToken)
    {
        var who = submission.Who;
        if (!who.IsAdmin) return Answer(CommandReply.Refusal(AdminRefusal));
        if (Session(submission.SessionId, who) is not { } session) return Answer(CommandReply.Info(null, Expired));
        var values = submission.Values;
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        var edit = new ManualEdit(who.Actor, who.Platform, Text(values, Fields.Note, errors, 500), Link(values, errors));

        CaseRecord desired;
        bool isNew = false;
        switch (session.Kind)
        {
            case CaseFormKind.UpdateStatus when session.Case is { } key && catalog.Find(key) is { } stored:
                var status = Status(values, errors);
                var since = Date(values, Fields.Since, errors);
                if (errors.Count > 0) return Invalid(session, values, errors);
                desired = stored.Case with
                {
                    Status = status!.Value,
                    StatusSince = since ?? (status == stored.Case.Status ? stored.Case.StatusSince : DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)),
                    SourceUrl = edit.Link ?? stored.Case.SourceUrl,
                    UpdatedAt = time.GetUtcNow(),
                };
                break;

            case CaseFormKind.NewCase:
                var name = Text(values, Fields.Name, errors, 200, required: true);
                var newStatus = Status(values, errors);
                var newSince = Date(values, Fields.Since, errors);
                var aliases = (Text(values, Fields.Aliases, errors, 500) ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                var details = ReadDetails(values, errors);
                if (errors.Count > 0) return Invalid(session, values, errors);
                desired = new CaseRecord
                {
                    Source = ManualEdit.Source,
                    Id = "m-" + RandomId(8),
                    Name = name!,
                    Aliases = aliases,
                    Status = newStatus!.Value,
                    StatusSince = newSince,
                    Nationality = details.Nationality,
                    Country = details.Country,
                    HeldBy = details.HeldBy,
                    Location = details.Location,
                    SourceUrl = edit.Link,
                    UpdatedAt = time.GetUtcNow(),
                };
                isNew = true;
                break;

            case CaseFormKind.NewCaseDetails when session.Case is { } key && catalog.Find(key) is { } stored:
                var more = ReadDetails(values, errors);
                if (errors.Count > 0) return Invalid(session, values, errors);
                desired = stored.Case with { Nationality = more.Nationality, Country = more.Country, HeldBy = more.HeldBy, Location = more.Location, UpdatedAt = time.GetUtcNow() };
                break;

            default:
                return Answer(CommandReply.Info(null, Expired));
        }

        var report = await pipeline.ApplyManualAsync(new ManualChange(desired, edit, isNew), cancellationToken).ConfigureAwait(false);
        _sessions.TryRemove(session.Id, out _);
        if (report.Error is { } error)
        {
            logger.LogWarning("A form from {Who} changed nothing: {Error}", who.Actor, error);
            return Answer(CommandReply.Error($"Nothing was changed: {error}. Look the case up with /case lookup and try again."));
        }
        logger.LogInformation("{Who} on {Platform} set case {Case} to {Status} by hand ({Alerts} alert(s) queued)", who.Actor, who.Platform, desired.Key, desired.Status.ToWire(), report.AlertsQueued);

        if (isNew)
        {
            var next = session.WithDetails ? null : DetailsForm(NewSession(CaseFormKind.NewCaseDetails, desired.Key, who), desired, null);
            return new FormOutcome(new Dictionary<string, string>(), CommandReply.Success($"Added {desired.Name}",
                $"{CaseFormat.NameWithStatus(desired)} — {CaseFormat.Reference(desired)}. Add it to a channel with `/watchlist add {desired.Key}`."
                + (next is null ? "" : " You can add where the person is held now.")), next);
        }
        var told = report.AlertsQueued == 0 ? "No channel watches this case." : $"{report.AlertsQueued} watching channel(s) are being told.";
        return Answer(CommandReply.Success($"Recorded: {desired.Name} is {desired.Status.ToDisplay()}",
            session.Kind == CaseFormKind.NewCaseDetails ? "The details were saved." : $"Set by you, recorded in the history. {told}"));
    }

    /// <summary>The field ids, shared with the platforms' renderings.</summary>
    public static class Fields
    {
        public const string Status = "status";
        public const string Since = "since";
        public const string Link = "link";
        public const string Note = "note";
        public const string Name = "name";
        public const string Aliases = "aliases";
        public const string Nationality = "nationality";
        public const string Country = "country";
        public const string HeldBy = "held_by";
        public const string Location = "location";
    }

    private CaseForm UpdateForm(FormSession session, CaseRecord record, IReadOnlyDictionary<string, string?>? values) =>
        new(session.Id, CaseFormKind.UpdateStatus, "Update status", "Save",
        [
            new(Fields.Status, "Status", FormFieldKind.Status, true, 20, Value(values, Fields.Status) ?? record.Status.ToWire(), StatusHint),
            new(Fields.Since, "Since (yyyy-mm-dd)", FormFieldKind.Date, false, 10, Value(values, Fields.Since) ?? (record.StatusSince is { } d ? CaseFormat.Date(d) : null), "2026-11-22"),
            new(Fields.Link, "Source link", FormFieldKind.Link, false, 1000, Value(values, Fields.Link), "https://…"),
            new(Fields.Note, "Note", FormFieldKind.Paragraph, false, 500, Value(values, Fields.Note), "What happened, and how you know"),
        ]);

    private CaseForm NewCaseForm(FormSession session, IReadOnlyDictionary<string, string?>? values)
    {
        List<FormField> fields =
        [
            new(Fields.Name, "Name", FormFieldKind.ShortText, true, 200, Value(values, Fields.Name)),
            new(Fields.Aliases, "Other spellings (separated by ;)", FormFieldKind.ShortText, false, 500, Value(values, Fields.Aliases)),
            new(Fields.Status, "Status", FormFieldKind.Status, true, 20, Value(values, Fields.Status) ?? CaseStatus.Detained.ToWire(), StatusHint),
            new(Fields.Since, "Since (yyyy-mm-dd)", FormFieldKind.Date, false, 10, Value(values, Fields.Since), "2026-11-22"),
            new(Fields.Link, "Source link", FormFieldKind.Link, false, 1000, Value(values, Fields.Link), "https://…"),
        ];
        if (session.WithDetails) fields.AddRange(DetailFields(null, values));
        return new CaseForm(session.Id, CaseFormKind.NewCase, "New case", "Add", fields);
    }

    private CaseForm DetailsForm(FormSession session, CaseRecord record, IReadOnlyDictionary<string, string?>? values) =>
        new(session.Id, CaseFormKind.NewCaseDetails, "Where held", "Save", DetailFields(record, values));

    private static List<FormField> DetailFields(CaseRecord? record, IReadOnlyDictionary<string, string?>? values) =>
    [
        new(Fields.Nationality, "Nationality", FormFieldKind.ShortText, false, 100, Value(values, Fields.Nationality) ?? record?.Nationality, "US"),
        new(Fields.Country, "Country where held", FormFieldKind.ShortText, false, 100, Value(values, Fields.Country) ?? record?.Country, "Afghanistan"),
        new(Fields.HeldBy, "Held by", FormFieldKind.ShortText, false, 100, Value(values, Fields.HeldBy) ?? record?.HeldBy),
        new(Fields.Location, "Location", FormFieldKind.ShortText, false, 100, Value(values, Fields.Location) ?? record?.Location),
    ];

    private static readonly string StatusHint = string.Join(", ", CaseStatuses.All.Take(6).Select(s => s.ToWire())) + ", …";

    private FormSession NewSession(CaseFormKind kind, CaseKey? key, CommandContext who)
    {
        var now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (var (id, old) in _sessions)
            {
                if (old.ExpiresAt <= now) _sessions.TryRemove(id, out _);
            }
        }
        // Full of live sessions: the oldest goes (a form left open for long is the least likely to be sent).
        while (_sessions.Count >= MaxSessions && _sessions.Values.MinBy(s => s.ExpiresAt) is { } oldest) _sessions.TryRemove(oldest.Id, out _);
        var session = new FormSession(RandomId(12), kind, key, who.Platform, who.ChannelId, who.UserId, now + SessionLifetime, null, false);
        _sessions[session.Id] = session;
        return session;
    }

    private FormSession? Session(string sessionId, CommandContext who) =>
        _sessions.TryGetValue(sessionId, out var session) && session.ExpiresAt > time.GetUtcNow()
        && session.Platform == who.Platform && session.OpenedBy == who.UserId ? session : null;

    private FormOutcome Invalid(FormSession session, IReadOnlyDictionary<string, string?> values, Dictionary<string, string> errors)
    {
        _sessions[session.Id] = session with { LastValues = values };
        return new FormOutcome(errors, CommandReply.Info("Nothing was saved yet", string.Join('\n', errors.Values.Select(e => "• " + e))));
    }

    private static FormOutcome Answer(CommandReply reply) => new(new Dictionary<string, string>(), reply);

    private static string? Value(IReadOnlyDictionary<string, string?>? values, string id) => values is not null && values.TryGetValue(id, out var v) ? v : null;

    private static string? Text(IReadOnlyDictionary<string, string?> values, string id, Dictionary<string, string> errors, int max, bool required = false)
    {
        var text = UntrustedText.CleanMultiline(Value(values, id) ?? "").Trim();
        if (text.Length == 0)
        {
            if (required) errors[id] = "This is needed.";
            return null;
        }
        if (text.Length > max) errors[id] = $"At most {max} characters, please.";
        return text;
    }

    private static CaseStatus? Status(IReadOnlyDictionary<string, string?> values, Dictionary<string, string> errors)
    {
        var text = Value(values, Fields.Status)?.Trim().ToLowerInvariant().Replace(' ', '_');
        if (CaseStatuses.TryParse(text, out var status)) return status;
        errors[Fields.Status] = $"Use one of: {CaseStatuses.AllowedValues.Replace("|", ", ", StringComparison.Ordinal)}.";
        return null;
    }

    private DateOnly? Date(IReadOnlyDictionary<string, string?> values, string id, Dictionary<string, string> errors)
    {
        var text = Value(values, id)?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors[id] = "Write the date as yyyy-mm-dd, e.g. 2026-11-22.";
            return null;
        }
        if (date > DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime.AddDays(1))) errors[id] = "That date is in the future.";
        return date;
    }

    private static string? Link(IReadOnlyDictionary<string, string?> values, Dictionary<string, string> errors)
    {
        var text = Value(values, Fields.Link)?.Trim();
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length > 1000 || !Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors[Fields.Link] = "Give a web link starting with https:// (or leave it empty).";
            return null;
        }
        return uri.AbsoluteUri;
    }

    private static (string? Nationality, string? Country, string? HeldBy, string? Location) ReadDetails(IReadOnlyDictionary<string, string?> values, Dictionary<string, string> errors) =>
        (Line(values, Fields.Nationality, errors), Line(values, Fields.Country, errors), Line(values, Fields.HeldBy, errors), Line(values, Fields.Location, errors));

    private static string? Line(IReadOnlyDictionary<string, string?> values, string id, Dictionary<string, string> errors)
    {
        var text = UntrustedText.CleanLine(Value(values, id) ?? "").Trim();
        if (text.Length > 100) errors[id] = "At most 100 characters, please.";
        return text.Length == 0 ? null : text;
    }

    private static string RandomId(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        return string.Create(length, 0, static (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }

    /// <param name="WithDetails">A new-case form that also holds the where-held fields (Slack), so no second step.</param>
    private sealed record FormSession(string Id, CaseFormKind Kind, CaseKey? Case, string Platform, string ChannelId, string OpenedBy,
        DateTimeOffset ExpiresAt, IReadOnlyDictionary<string, string?>? LastValues, bool WithDetails);
}
