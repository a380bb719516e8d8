using System.Globalization;
using System.Text.Json;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Feeds;

/// <summary>CaseFeedParser reads a case feed document (contract: <c>{"cases": [...]}</c> or a bare array) into
/// valid records and per-record rejections. It never throws on bad input: a document that does not parse is
/// reported as a whole, a bad record is reported with its index, id and reason, and the rest still applies.</summary>
public static class CaseFeedParser
{
    /// <summary>Longest accepted id, name, alias and free-text field; longer values are a sign of a broken feed.</summary>
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 300;
    public const int MaxAliases = 50;
    public const int MaxTextLength = 10_000;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // Sample files are edited by hand: tolerate comments and trailing commas, as the contract's example shows.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 16,
    };

    /// <param name="known">Optional lookup of the stored record by id. A record whose JSON says exactly what the stored
    /// one says is returned as that same instance, without allocating: an unchanged 100,000-case document then costs
    /// little more than reading it. Anything that differs, or is written differently, takes the full path.</param>
    public static FeedParseResult Parse(string source, ReadOnlyMemory<byte> document, Func<string, CaseRecord?>? known = null)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {ex.BytePositionInLine + 1}" : "";
            return FeedParseResult.Invalid(source, $"the document is not valid JSON{where}: {WithoutPosition(ex.Message)}");
        }

        using (json)
        {
            JsonElement array;
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                array = root;
            }
            else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("cases", out var cases) && cases.ValueKind == JsonValueKind.Array)
            {
                array = cases;
            }
            else
            {
                return FeedParseResult.Invalid(source, "expected an object with a \"cases\" array, or a bare array of cases");
            }

            var records = new List<CaseRecord>(array.GetArrayLength());
            var rejections = new List<RecordRejection>();
            var seenIds = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var (record, id, reason) = known is not null && StoredRecordMatching(element, known) is { } same
                    ? (same, same.Id, null)
                    : ReadRecord(source, element);
                if (record is not null && !seenIds.Add(record.Id))
                {
                    reason = $"duplicate id '{record.Id}' (an earlier record in this document has it; ids must be unique per source)";
                    record = null;
                }
                if (record is null)
                {
                    rejections.Add(new RecordRejection(source, index, id, reason!));
                }
                else
                {
                    records.Add(record);
                }
                index++;
            }
            return new FeedParseResult(source, records, rejections, null, index);
        }
    }

    private static (CaseRecord? Record, string? Id, string? Reason) ReadRecord(string source, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return (null, null, $"expected an object, found {Describe(element.ValueKind)}");

        string? id = null, name = null, statusText = null, nationality = null, country = null, heldBy = null;
        string? location = null, summary = null, sourceUrl = null, statusSinceText = null, updatedAtText = null;
        List<string>? aliases = null;
        var hasStatus = false;

        foreach (var property in element.EnumerateObject())
        {
            // NameEquals compares the UTF-8 bytes in place: 100,000 records x 12 properties allocate no name strings.
            string? error = null;
            if (property.NameEquals("id")) error = ReadId(property.Value, out id);
            else if (property.NameEquals("name")) error = ReadString(property, MaxNameLength, out name);
            else if (property.NameEquals("status")) error = ReadString(property, 64, out statusText, ref hasStatus);
            else if (property.NameEquals("statusSince")) error = ReadString(property, 64, out statusSinceText);
            else if (property.NameEquals("nationality")) error = ReadString(property, 200, out nationality);
            else if (property.NameEquals("country")) error = ReadString(property, 200, out country);
            else if (property.NameEquals("heldBy")) error = ReadString(property, 500, out heldBy);
            else if (property.NameEquals("location")) error = ReadString(property, 500, out location);
            else if (property.NameEquals("summary")) error = ReadString(property, MaxTextLength, out summary);
            else if (property.NameEquals("sourceUrl")) error = ReadString(property, 2048, out sourceUrl);
            else if (property.NameEquals("updatedAt")) error = ReadString(property, 64, out updatedAtText);
            else if (property.NameEquals("aliases")) error = ReadAliases(property.Value, out aliases);
            // Unknown fields are ignored so feeds can carry more than we read.
            if (error is not null) return (null, id, error);
        }

        if (string.IsNullOrWhiteSpace(id)) return (null, null, "missing required field \"id\"");
        if (string.IsNullOrWhiteSpace(name)) return (null, id, "missing required field \"name\"");
        if (!hasStatus || statusText is null) return (null, id, $"missing required field \"status\" (allowed: {CaseStatuses.AllowedValues})");
        if (!CaseStatuses.TryParse(statusText, out var status))
        {
            return (null, id, $"unknown status '{statusText}' (allowed: {CaseStatuses.AllowedValues})");
        }

        DateOnly? statusSince = null;
        if (statusSinceText is not null)
        {
            if (!TryParseDate(statusSinceText, out var since)) return (null, id, $"statusSince '{statusSinceText}' is not a date (use YYYY-MM-DD)");
            statusSince = since;
        }

        DateTimeOffset? updatedAt = null;
        if (updatedAtText is not null)
        {
            if (!DateTimeOffset.TryParse(updatedAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                return (null, id, $"updatedAt '{updatedAtText}' is not a timestamp (use ISO 8601, e.g. 2026-11-22T10:00:00Z)");
            }
            updatedAt = at;
        }

        if (sourceUrl is not null && !IsWebUrl(sourceUrl))
        {
            // We render this as a link: only absolute http(s) URLs, never javascript: or relative paths.
            return (null, id, $"sourceUrl '{Shorten(sourceUrl)}' is not an absolute http(s) URL");
        }

        var record = new CaseRecord
        {
            Source = source,
            Id = id.Trim(),
            Name = CollapseWhitespace(name),
            Aliases = aliases is null ? [] : aliases,
            Status = status,
            StatusSince = statusSince,
            Nationality = Clean(nationality),
            Country = Clean(country),
            HeldBy = Clean(heldBy),
            Location = Clean(location),
            Summary = Clean(summary),
            SourceUrl = Clean(sourceUrl),
            UpdatedAt = updatedAt,
        };
        return (record, record.Id, null);
    }

    /// <summary>The stored record when the element states exactly its values in their canonical form; otherwise null.</summary>
    private static CaseRecord? StoredRecordMatching(JsonElement element, Func<string, CaseRecord?> known)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("id"u8, out var idElement) || idElement.ValueKind != JsonValueKind.String
            || idElement.GetString() is not { } id || known(id) is not { } stored)
        {
            return null;
        }

        Span<char> date = stackalloc char[10];
        var seen = Seen.None;
        foreach (var property in element.EnumerateObject())
        {
            var value = property.Value;
            bool same;
            if (property.NameEquals("id")) continue;
            else if (property.NameEquals("name")) (same, seen) = (SameText(value, stored.Name), seen | Seen.Name);
            else if (property.NameEquals("status")) (same, seen) = (value.ValueKind == JsonValueKind.String && value.ValueEquals(stored.Status.ToWire()), seen | Seen.Status);
            else if (property.NameEquals("statusSince"))
            {
                same = stored.StatusSince is { } since
                    ? value.ValueKind == JsonValueKind.String && since.TryFormat(date, out var written, "yyyy-MM-dd", CultureInfo.InvariantCulture) && value.ValueEquals(date[..written])
                    : value.ValueKind == JsonValueKind.Null;
                seen |= Seen.StatusSince;
            }
            else if (property.NameEquals("updatedAt"))
            {
                same = stored.UpdatedAt is { } at
                    ? value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var parsed) && parsed == at && parsed.Offset == TimeSpan.Zero
                    : value.ValueKind == JsonValueKind.Null;
                seen |= Seen.UpdatedAt;
            }
            else if (property.NameEquals("nationality")) (same, seen) = (SameText(value, stored.Nationality), seen | Seen.Nationality);
            else if (property.NameEquals("country")) (same, seen) = (SameText(value, stored.Country), seen | Seen.Country);
            else if (property.NameEquals("heldBy")) (same, seen) = (SameText(value, stored.HeldBy), seen | Seen.HeldBy);
            else if (property.NameEquals("location")) (same, seen) = (SameText(value, stored.Location), seen | Seen.Location);
            else if (property.NameEquals("summary")) (same, seen) = (SameText(value, stored.Summary), seen | Seen.Summary);
            else if (property.NameEquals("sourceUrl")) (same, seen) = (SameText(value, stored.SourceUrl), seen | Seen.SourceUrl);
            else if (property.NameEquals("aliases")) (same, seen) = (SameAliases(value, stored.Aliases), seen | Seen.Aliases);
            else continue; // unknown fields are ignored on both paths
            if (!same) return null;
        }

        // A stored value the element does not mention is a change (the field was removed).
        if (!seen.HasFlag(Seen.Name) || !seen.HasFlag(Seen.Status)) return null;
        if ((stored.StatusSince is not null && !seen.HasFlag(Seen.StatusSince)) || (stored.UpdatedAt is not null && !seen.HasFlag(Seen.UpdatedAt))
            || (stored.Nationality is not null && !seen.HasFlag(Seen.Nationality)) || (stored.Country is not null && !seen.HasFlag(Seen.Country))
            || (stored.HeldBy is not null && !seen.HasFlag(Seen.HeldBy)) || (stored.Location is not null && !seen.HasFlag(Seen.Location))
            || (stored.Summary is not null && !seen.HasFlag(Seen.Summary)) || (stored.SourceUrl is not null && !seen.HasFlag(Seen.SourceUrl))
            || (stored.Aliases.Count > 0 && !seen.HasFlag(Seen.Aliases)))
        {
            return null;
        }
        return stored;
    }

    private static bool SameText(JsonElement value, string? stored) =>
        stored is null ? value.ValueKind == JsonValueKind.Null : value.ValueKind == JsonValueKind.String && value.ValueEquals(stored);

    private static bool SameAliases(JsonElement value, IReadOnlyList<string> stored)
    {
        if (value.ValueKind == JsonValueKind.Null) return stored.Count == 0;
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != stored.Count) return false;
        var i = 0;
        foreach (var alias in value.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String || !alias.ValueEquals(stored[i++])) return false;
        }
        return true;
    }

    [Flags]
    private enum Seen
    {
        None = 0,
        Name = 1,
        Status = 2,
        StatusSince = 4,
        UpdatedAt = 8,
        Nationality = 16,
        Country = 32,
        HeldBy = 64,
        Location = 128,
        Summary = 256,
        SourceUrl = 512,
        Aliases = 1024,
    }

    private static string? ReadId(JsonElement value, out string? id)
    {
        id = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                id = value.GetString();
                break;
            case JsonValueKind.Number:
                // Numeric ids are common in exported feeds; keep their exact text.
                id = value.GetRawText();
                break;
            case JsonValueKind.Null:
                return "missing required field \"id\"";
            default:
                return $"\"id\" must be a string, found {Describe(value.ValueKind)}";
        }
        if (id is { Length: > MaxIdLength }) return $"\"id\" is longer than {MaxIdLength} characters";
        return null;
    }

    private static string? ReadString(JsonProperty property, int maxLength, out string? value)
    {
        var ignored = false;
        return ReadString(property, maxLength, out value, ref ignored);
    }

    private static string? ReadString(JsonProperty property, int maxLength, out string? value, ref bool present)
    {
        value = null;
        if (property.Value.ValueKind == JsonValueKind.Null) return null;
        if (property.Value.ValueKind != JsonValueKind.String)
        {
            return $"\"{property.Name}\" must be a string, found {Describe(property.Value.ValueKind)}";
        }
        value = property.Value.GetString();
        present = true;
        if (value is { Length: var length } && length > maxLength)
        {
            return $"\"{property.Name}\" is longer than {maxLength} characters";
        }
        return null;
    }

    private static string? ReadAliases(JsonElement value, out List<string>? aliases)
    {
        aliases = null;
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) return $"\"aliases\" must be an array of strings, found {Describe(value.ValueKind)}";
        if (value.GetArrayLength() > MaxAliases) return $"\"aliases\" has more than {MaxAliases} entries";
        aliases = new List<string>(value.GetArrayLength());
        foreach (var alias in value.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String) return $"\"aliases\" must contain only strings, found {Describe(alias.ValueKind)}";
            var text = alias.GetString();
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (text.Length > MaxNameLength) return $"an alias is longer than {MaxNameLength} characters";
            var cleaned = CollapseWhitespace(text);
            if (!aliases.Contains(cleaned, StringComparer.Ordinal)) aliases.Add(cleaned);
        }
        return null;
    }

    private static bool TryParseDate(string text, out DateOnly date)
    {
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date)) return true;
        // Feeds sometimes give a full timestamp for "since"; the date part is what we show.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            date = DateOnly.FromDateTime(at.UtcDateTime);
            return true;
        }
        return false;
    }

    private static bool IsWebUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string CollapseWhitespace(string text)
    {
        // Most names are already clean: keep the string as it is instead of splitting and joining it.
        var clean = text.Length > 0 && !char.IsWhiteSpace(text[0]) && !char.IsWhiteSpace(text[^1]);
        for (var i = 1; clean && i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]) && (text[i] != ' ' || text[i - 1] == ' ')) clean = false;
        }
        return clean ? text : string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => kind.ToString(),
    };

    /// <summary>The reader's explanation ("There is an open JSON object or array that should be closed") without its
    /// own "LineNumber: … | BytePositionInLine: …" suffix, which we already give as line and position.</summary>
    private static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim().TrimEnd('.');
    }
}

/// <summary>Outcome of parsing one document.</summary>
/// <param name="DocumentError">Why the whole document was refused; null when it parsed.</param>
/// <param name="RecordCount">How many records the document held, valid or not.</param>
public sealed record FeedParseResult(
    string Source,
    IReadOnlyList<CaseRecord> Cases,
    IReadOnlyList<RecordRejection> Rejections,
    string? DocumentError,
    int RecordCount)
{
    public bool IsValid => DocumentError is null;

    public static FeedParseResult Invalid(string source, string error) => new(source, [], [], error, 0);
}

/// <summary>A record the parser refused, with where it was and why.</summary>
public sealed record RecordRejection(string Source, int Index, string? Id, string Reason)
{
    public override string ToString() => $"source '{Source}', record #{Index}{(Id is null ? "" : $" (id '{Id}')")}: {Reason}";
}
