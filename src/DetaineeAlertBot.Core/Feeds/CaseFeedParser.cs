using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Core.Feeds;

/// <summary>CaseFeedParser reads a case feed document (contract: <c>{"cases": [...]}</c> or a bare array) into
/// valid records and per-record rejections. It never throws on bad input: a document that does not parse is
/// reported as a whole, a bad record is reported with its index, id and reason, and the rest still applies.</summary>
public static partial class CaseFeedParser
{
    /// <summary>A bigger document is refused whole: no real source lists that many people, a broken export might.</summary>
    public const int MaxRecords = 500_000;

    // Field caps (characters, before cleaning). The contract documents none; longer values are a sign of a broken feed.
    public const int MaxIdLength = 128;
    public const int MaxNameLength = 300;
    public const int MaxAliases = 50;
    public const int MaxStatusLength = 64;
    public const int MaxDateLength = 64;
    public const int MaxNationalityLength = 200;
    public const int MaxCountryLength = 200;
    public const int MaxHeldByLength = 500;
    public const int MaxLocationLength = 500;
    public const int MaxTextLength = 10_000;
    public const int MaxSourceUrlLength = 2048;

    private const int MaxDepth = 16;

    private static readonly JsonDocumentOptions DocumentOptions = RecordOptions(0);

    private static JsonDocumentOptions RecordOptions(int depthAlreadyUsed) => new()
    {
        // Sample files are edited by hand: tolerate comments and trailing commas, as the contract's example shows.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = MaxDepth - depthAlreadyUsed,
    };

    /// <param name="known">Optional lookup of the stored record by id. A record whose JSON says exactly what the stored
    /// one says is returned as that same instance, without allocating: an unchanged 100,000-case document then costs
    /// little more than reading it. Anything that differs, or is written differently, takes the full path.</param>
    /// <param name="memo">Optional memory of the records of the source's last document (see <see cref="FeedRecordMemo"/>):
    /// a record byte-identical to one of them is that record again. Updated with this document's valid records.</param>
    public static FeedParseResult Parse(string source, ReadOnlyMemory<byte> document, Func<string, CaseRecord?>? known = null, FeedRecordMemo? memo = null) =>
        Parse(source, document, known, memo, WholeDocumentMaxBytes);

    /// <summary>Documents up to this size are parsed as one <see cref="JsonDocument"/>; larger ones by
    /// <see cref="ParseLarge"/>, with the same results (tests compare the two on the same documents).</summary>
    internal const int WholeDocumentMaxBytes = FeedRecordMemo.MaxDocumentBytes;

    internal static FeedParseResult Parse(string source, ReadOnlyMemory<byte> document, Func<string, CaseRecord?>? known, FeedRecordMemo? memo,
        int wholeDocumentMaxBytes) =>
        document.Length > wholeDocumentMaxBytes ? ParseLarge(source, document, known, memo) : ParseWhole(source, document, known, memo);

    private static FeedParseResult ParseWhole(string source, ReadOnlyMemory<byte> document, Func<string, CaseRecord?>? known, FeedRecordMemo? memo)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document, DocumentOptions);
        }
        catch (JsonException ex)
        {
            memo?.Forget(source);
            return ParseRecordByRecord(source, document, known, ex);
        }

        using (json)
        {
            JsonElement array;
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
            {
                array = root;
            }
            else if (root.ValueKind == JsonValueKind.Object && TryGetCases(root, out var cases))
            {
                array = cases;
            }
            else
            {
                return FeedParseResult.Invalid(source, "expected an object with a \"cases\" array, or a bare array of cases");
            }

            var count = array.GetArrayLength();
            if (count > MaxRecords) return FeedParseResult.Invalid(source, TooManyRecords($"{count} records"));

            var collector = new ResultCollector(source, count);
            var remembered = memo?.Of(source);
            var remember = memo is not null && document.Length <= FeedRecordMemo.MaxDocumentBytes ? new FeedRecordMemo.Snapshot.Builder(document.Length, count) : null;
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                if (remembered is null && remember is null)
                {
                    collector.Add(index++, ReadElement(source, element, known));
                    continue;
                }
                var raw = JsonMarshal.GetRawUtf8Value(element);
                var hash = FeedRecordMemo.Snapshot.Hash(raw);
                var read = remembered?.Find(raw, hash) is { } again ? (again, again.Id, null) : ReadElement(source, element, known);
                if (read.Record is { } record) remember?.Add(raw, hash, record);
                collector.Add(index++, read);
            }
            memo?.Remember(source, remember?.Build());
            return collector.Result(index);
        }
    }

    /// <summary>A large document, with the results <see cref="ParseWhole"/> would give, without a <see cref="JsonDocument"/>
    /// of the whole: that one holds about 12 bytes per JSON token (a 32 MiB array for a 15 MiB feed of 100,000 cases),
    /// rented from the shared array pool, which keeps such arrays after the parse, one per thread that returned one. One
    /// pass of a <see cref="Utf8JsonReader"/> (the reader a JsonDocument is parsed with, same options, so the same
    /// documents fail) checks the whole document and notes where the records are; each record is then parsed as a small
    /// document of its own. The records array is found as <see cref="TryGetCases"/> finds it (the last "cases" member).
    /// Such documents are larger than <see cref="FeedRecordMemo.MaxDocumentBytes"/>, so none is remembered.</summary>
    private static FeedParseResult ParseLarge(string source, ReadOnlyMemory<byte> document, Func<string, CaseRecord?>? known, FeedRecordMemo? memo)
    {
        LocatedRecords located;
        try
        {
            located = LocateRecords(document.Span);
        }
        catch (JsonException ex)
        {
            memo?.Forget(source);
            return ParseRecordByRecord(source, document, known, ex);
        }
        if (located.Records is not { } records)
        {
            return FeedParseResult.Invalid(source, "expected an object with a \"cases\" array, or a bare array of cases");
        }
        if (records.Count > MaxRecords) return FeedParseResult.Invalid(source, TooManyRecords($"{records.Count} records"));

        var collector = new ResultCollector(source, records.Count);
        var remembered = memo?.Of(source);
        var options = RecordOptions(located.RecordDepth);
        for (var index = 0; index < records.Count; index++)
        {
            var (start, length) = records[index];
            // The document as a whole was read with the same limits, so a record never fails here.
            using var record = JsonDocument.Parse(document.Slice(start, length), options);
            var element = record.RootElement;
            if (remembered is null)
            {
                collector.Add(index, ReadElement(source, element, known));
                continue;
            }
            var raw = document.Span.Slice(start, length);
            var hash = FeedRecordMemo.Snapshot.Hash(raw);
            collector.Add(index, remembered.Find(raw, hash) is { } again ? (again, again.Id, null) : ReadElement(source, element, known));
        }
        memo?.Remember(source, null);
        return collector.Result(records.Count);
    }

    /// <param name="Records">Where each record is (start, length), or null when the document is not of the feed's shape.</param>
    private sealed record LocatedRecords(List<(int Start, int Length)>? Records, int RecordDepth);

    /// <summary>Reads the whole document (throwing <see cref="JsonException"/> where <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
    /// would) and returns where the records are: the elements of a bare array, or of the root object's "cases" array.</summary>
    private static LocatedRecords LocateRecords(ReadOnlySpan<byte> document)
    {
        var reader = new Utf8JsonReader(document, new JsonReaderOptions
        {
            CommentHandling = DocumentOptions.CommentHandling,
            AllowTrailingCommas = DocumentOptions.AllowTrailingCommas,
            MaxDepth = DocumentOptions.MaxDepth,
        });
        List<(int, int)>? bare = null;
        // The root object's members that may be named "cases" (their escaped name, if written with escapes) and the
        // elements of their value when it is an array.
        var candidates = new List<(byte[]? EscapedName, List<(int, int)>? Elements)>();
        var candidateValueNext = false;
        List<(int, int)>? current = null; // the array whose elements are being noted
        var elementDepth = -1;
        var elementStart = 0;
        var rootKind = JsonTokenType.None;
        while (reader.Read())
        {
            var token = reader.TokenType;
            var depth = reader.CurrentDepth;
            if (rootKind == JsonTokenType.None)
            {
                rootKind = token;
                if (token == JsonTokenType.StartArray) (current, elementDepth) = (bare = [], 1);
                continue;
            }
            if (current is not null)
            {
                if (depth == elementDepth)
                {
                    switch (token)
                    {
                        case JsonTokenType.StartObject or JsonTokenType.StartArray:
                            elementStart = (int)reader.TokenStartIndex;
                            break;
                        case JsonTokenType.EndObject or JsonTokenType.EndArray:
                            current.Add((elementStart, (int)reader.BytesConsumed - elementStart));
                            break;
                        default:
                            current.Add(((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex)));
                            break;
                    }
                }
                else if (depth == elementDepth - 1 && token == JsonTokenType.EndArray)
                {
                    (current, elementDepth) = (null, -1);
                }
                continue;
            }
            if (rootKind != JsonTokenType.StartObject || depth != 1) continue;
            if (candidateValueNext)
            {
                candidateValueNext = false;
                if (token == JsonTokenType.StartArray)
                {
                    candidates[^1] = candidates[^1] with { Elements = current = [] };
                    elementDepth = 2;
                }
                continue;
            }
            if (token != JsonTokenType.PropertyName) continue;
            // Only a name that is "cases" as written, or one with escapes (compared unescaped below), can name the records.
            if (reader.ValueIsEscaped || reader.ValueTextEquals("cases"u8))
            {
                candidates.Add((reader.ValueIsEscaped ? reader.ValueSpan.ToArray() : null, null));
                candidateValueNext = true;
            }
            else
            {
                reader.Skip(); // its value, read (and so checked) token by token
            }
        }
        if (rootKind == JsonTokenType.StartArray) return new LocatedRecords(bare, 1);
        if (rootKind != JsonTokenType.StartObject) return new LocatedRecords(null, 0);
        // As JsonElement.TryGetProperty looks: from the last member back, the first whose name is "cases".
        for (var i = candidates.Count - 1; i >= 0; i--)
        {
            var (escapedName, elements) = candidates[i];
            if (escapedName is not null)
            {
                // An escaped name is compared by the same code as in a whole document: a one-member object of that name.
                var probe = new byte[escapedName.Length + 6];
                probe[0] = (byte)'{';
                probe[1] = (byte)'"';
                escapedName.CopyTo(probe, 2);
                "\":0}"u8.CopyTo(probe.AsSpan(escapedName.Length + 2));
                using var member = JsonDocument.Parse(probe, DocumentOptions);
                switch (IsNamedCases(member.RootElement))
                {
                    case false: continue;
                    case null: return new LocatedRecords(null, 0); // a name that cannot be compared ends the search, as in TryGetCases
                }
            }
            return new LocatedRecords(elements, 2);
        }
        return new LocatedRecords(null, 0);
    }

    /// <summary>Whether the one member of <paramref name="member"/> is named "cases"; null when its name cannot be compared.</summary>
    private static bool? IsNamedCases(JsonElement member)
    {
        try
        {
            return member.TryGetProperty("cases"u8, out _);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The whole document did not parse. If its structure still shows where each record starts and ends,
    /// parse the records one by one, so that one bad record (an invalid escape, raw invalid bytes) costs only itself.</summary>
    private static FeedParseResult ParseRecordByRecord(string source, ReadOnlyMemory<byte> document, Func<string, CaseRecord?>? known, JsonException wholeError)
    {
        var bytes = document.Span;
        var split = FeedArraySplitter.Find(bytes, MaxRecords);
        if (split.TooManyRecords) return FeedParseResult.Invalid(source, TooManyRecords($"more than {MaxRecords} records"));
        if (split.Error is not null)
        {
            var where = wholeError.LineNumber is { } line ? $" at line {line + 1}, position {wholeError.BytePositionInLine + 1}" : "";
            return FeedParseResult.Invalid(source,
                $"the document is not valid JSON{where}: {WithoutPosition(wholeError.Message)}; its records cannot be told apart either ({split.Error}), so nothing was read");
        }

        var options = RecordOptions(split.RecordDepth);
        var collector = new ResultCollector(source, split.Records.Count);
        var linesBefore = 0;
        var counted = 0;
        for (var index = 0; index < split.Records.Count; index++)
        {
            var (start, length) = split.Records[index].GetOffsetAndLength(bytes.Length);
            var end = start + length;
            linesBefore += bytes[counted..start].Count((byte)'\n');
            counted = start;
            if (start == end)
            {
                collector.Add(index, (null, null, $"no record between two commas (line {linesBefore + 1})"));
                continue;
            }

            JsonDocument record;
            try
            {
                record = JsonDocument.Parse(document[start..end], options);
            }
            catch (JsonException ex)
            {
                var line = linesBefore + 1 + (int)(ex.LineNumber ?? 0);
                collector.Add(index, (null, IdOfBrokenRecord(bytes[start..end]), $"the record is not valid JSON (line {line}): {WithoutPosition(ex.Message)}"));
                continue;
            }
            using (record)
            {
                collector.Add(index, ReadElement(source, record.RootElement, known));
            }
        }
        return collector.Result(split.Records.Count);
    }

    private static string TooManyRecords(string count) =>
        $"the document holds {count}; at most {MaxRecords} are accepted in one document, so nothing was read";

    private static bool TryGetCases(JsonElement root, out JsonElement cases)
    {
        try
        {
            return root.TryGetProperty("cases"u8, out cases) && cases.ValueKind == JsonValueKind.Array;
        }
        catch (InvalidOperationException)
        {
            // A property name with a lone surrogate escape: comparing names unescapes them.
            cases = default;
            return false;
        }
    }

    private static string? IdOfBrokenRecord(ReadOnlySpan<byte> record)
    {
        var value = FeedArraySplitter.FindIdValue(record);
        if (value.IsEmpty) return null;
        try
        {
            using var json = JsonDocument.Parse(value.ToArray(), DocumentOptions);
            return ReadId(json.RootElement, out var id) is null ? id : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (CaseRecord? Record, string? Id, string? Reason) ReadElement(string source, JsonElement element, Func<string, CaseRecord?>? known)
    {
        if (known is not null && StoredRecordMatchingSafely(element, known) is { } same) return (same, same.Id, null);
        try
        {
            return ReadRecord(source, element);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // Reading names and values unescapes them; whatever slipped past the checks costs this record only.
            var id = element.ValueKind == JsonValueKind.Object && SafeProperty(element, "id"u8) is { } idElement && ReadId(idElement, out var readable) is null ? readable : null;
            return (null, id, $"the record cannot be read: {Visible(ex.Message)}");
        }
    }

    private static JsonElement? SafeProperty(JsonElement element, ReadOnlySpan<byte> name)
    {
        try
        {
            return element.TryGetProperty(name, out var value) ? value : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static (CaseRecord? Record, string? Id, string? Reason) ReadRecord(string source, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object) return (null, null, $"expected an object, found {Describe(element.ValueKind)}");

        string? id = null, name = null, statusText = null, nationality = null, country = null, heldBy = null;
        string? location = null, summary = null, sourceUrl = null, statusSinceText = null, updatedAtText = null;
        List<string>? aliases = null;
        string? firstError = null;

        foreach (var property in element.EnumerateObject())
        {
            // NameEquals compares the UTF-8 bytes in place: 100,000 records x 12 properties allocate no name strings.
            var value = property.Value;
            string? error = null;
            if (property.NameEquals("id")) error = ReadId(value, out id);
            else if (property.NameEquals("name")) error = ReadText(value, "name", MaxNameLength, out name);
            else if (property.NameEquals("status")) error = ReadText(value, "status", MaxStatusLength, out statusText);
            else if (property.NameEquals("statusSince")) error = ReadText(value, "statusSince", MaxDateLength, out statusSinceText);
            else if (property.NameEquals("nationality")) error = ReadText(value, "nationality", MaxNationalityLength, out nationality);
            else if (property.NameEquals("country")) error = ReadText(value, "country", MaxCountryLength, out country);
            else if (property.NameEquals("heldBy")) error = ReadText(value, "heldBy", MaxHeldByLength, out heldBy);
            else if (property.NameEquals("location")) error = ReadText(value, "location", MaxLocationLength, out location);
            else if (property.NameEquals("summary")) error = ReadText(value, "summary", MaxTextLength, out summary);
            else if (property.NameEquals("sourceUrl")) error = ReadText(value, "sourceUrl", MaxSourceUrlLength, out sourceUrl);
            else if (property.NameEquals("updatedAt")) error = ReadText(value, "updatedAt", MaxDateLength, out updatedAtText);
            else if (property.NameEquals("aliases")) error = ReadAliases(value, out aliases);
            // Unknown fields are ignored so feeds can carry more than we read.
            // Keep reading after an error: the id may come later, and a rejection with its id is not taken for a removal.
            firstError ??= error;
        }
        if (firstError is not null) return (null, id, firstError);

        if (string.IsNullOrWhiteSpace(id)) return (null, null, "missing required field \"id\"");
        var cleanName = name is null ? "" : CollapseWhitespace(UntrustedText.CleanLine(name));
        if (cleanName.Length == 0) return (null, id, "missing required field \"name\"");
        if (statusText is null) return (null, id, $"missing required field \"status\" (allowed: {CaseStatuses.AllowedValues})");
        if (!CaseStatuses.TryParse(statusText, out var status))
        {
            return (null, id, $"unknown status '{ForDisplay(statusText)}' (allowed: {CaseStatuses.AllowedValues})");
        }

        DateOnly? statusSince = null;
        if (statusSinceText is not null)
        {
            if (!TryParseStatusSince(statusSinceText, out var since))
            {
                return (null, id, $"statusSince '{ForDisplay(statusSinceText)}' is not a date (use YYYY-MM-DD, or a date-time with an offset such as 2024-12-01T08:00:00Z or 2024-12-01T10:00:00+02:00)");
            }
            statusSince = since;
        }

        DateTimeOffset? updatedAt = null;
        if (updatedAtText is not null)
        {
            if (!TryParseUpdatedAt(updatedAtText, out var at))
            {
                return (null, id, $"updatedAt '{ForDisplay(updatedAtText)}' is not a timestamp (use ISO 8601 with an offset, e.g. 2026-11-22T10:00:00Z or 2026-11-22T12:00:00+02:00, or a date YYYY-MM-DD)");
            }
            updatedAt = at;
        }

        var cleanUrl = CleanOneLine(sourceUrl);
        if (cleanUrl is not null && !IsWebUrl(cleanUrl))
        {
            // We render this as a link: only absolute http(s) URLs, never javascript: or relative paths.
            return (null, id, $"sourceUrl '{ForDisplay(cleanUrl)}' is not an absolute http(s) URL");
        }

        var record = new CaseRecord
        {
            Source = source,
            Id = id,
            Name = cleanName,
            Aliases = aliases is null ? [] : aliases,
            Status = status,
            StatusSince = statusSince,
            // Values that many cases repeat are kept once (SharedValues).
            Nationality = SharedValues.Of(CleanOneLine(nationality)),
            Country = SharedValues.Of(CleanOneLine(country)),
            HeldBy = SharedValues.Of(CleanOneLine(heldBy)),
            Location = SharedValues.Of(CleanOneLine(location)),
            Summary = summary is null ? null : Blank(UntrustedText.CleanMultiline(summary).Trim()),
            SourceUrl = cleanUrl,
            UpdatedAt = updatedAt,
        };
        return (record, record.Id, null);
    }

    /// <summary>Never throws: a stored record that cannot be compared is simply not reused, and the full path reports why.</summary>
    private static CaseRecord? StoredRecordMatchingSafely(JsonElement element, Func<string, CaseRecord?> known)
    {
        try
        {
            return StoredRecordMatching(element, known);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The stored record when the element states exactly its values in their canonical form; otherwise null.</summary>
    private static CaseRecord? StoredRecordMatching(JsonElement element, Func<string, CaseRecord?> known)
    {
        if (element.ValueKind != JsonValueKind.Object
            || !element.TryGetProperty("id"u8, out var idElement) || idElement.ValueKind != JsonValueKind.String
            || !TryGetText(idElement, out var id) || id is null || known(id) is not { } stored
            || UntrustedText.IdProblem(stored.Id) is not null)
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
                // Only the canonical UTC spelling is reused: any other goes through the strict check of the full path.
                same = stored.UpdatedAt is { } at
                    ? value.ValueKind == JsonValueKind.String && value.ValueEquals(CanonicalTimestamp(at))
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

    private static string CanonicalTimestamp(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>GetString throws on a lone surrogate escape ("\ud800") or invalid UTF-8; here that is a bad value, not a crash.</summary>
    private static bool TryGetText(JsonElement value, out string? text)
    {
        try
        {
            text = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    private static string NotText(string field) =>
        $"\"{field}\" is not valid text (a lone surrogate escape such as \\ud800, or invalid UTF-8)";

    /// <summary>Reads and checks the id; <paramref name="id"/> is set (trimmed) whenever it could be read, even when it
    /// is refused, so the rejection names it and the stored case of that id is not taken for removed.</summary>
    private static string? ReadId(JsonElement value, out string? id)
    {
        id = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                if (!TryGetText(value, out id)) return NotText("id");
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
        id = id?.Trim();
        if (id is { Length: > MaxIdLength }) return $"\"id\" is longer than {MaxIdLength} characters";
        if (id is not null && UntrustedText.IdProblem(id) is { } problem) return problem;
        return null;
    }

    private static string? ReadText(JsonElement value, string field, int maxLength, out string? text)
    {
        text = null;
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) return $"\"{field}\" must be a string, found {Describe(value.ValueKind)}";
        if (!TryGetText(value, out text)) return NotText(field);
        if (text is { Length: var length } && length > maxLength)
        {
            text = null;
            return $"\"{field}\" is longer than {maxLength} characters";
        }
        return null;
    }

    private static string? ReadAliases(JsonElement value, out List<string>? aliases)
    {
        aliases = null;
        if (value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Array) return $"\"aliases\" must be an array of strings, found {Describe(value.ValueKind)}";
        if (value.GetArrayLength() > MaxAliases) return $"\"aliases\" has more than {MaxAliases} entries";
        var read = new List<string>(value.GetArrayLength());
        foreach (var alias in value.EnumerateArray())
        {
            if (alias.ValueKind != JsonValueKind.String) return $"\"aliases\" must contain only strings, found {Describe(alias.ValueKind)}";
            if (!TryGetText(alias, out var text)) return NotText("aliases");
            if (text is null) continue;
            if (text.Length > MaxNameLength) return $"\"aliases\" has an alias longer than {MaxNameLength} characters";
            var cleaned = CollapseWhitespace(UntrustedText.CleanLine(text));
            if (cleaned.Length > 0 && !read.Contains(cleaned, StringComparer.Ordinal)) read.Add(cleaned);
        }
        aliases = read;
        return null;
    }

    // [0-9], not \d: \d also matches other scripts' digits, which DateOnly would then refuse or misread.
    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainDate();

    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex DateTimeWithOffset();

    /// <summary>YYYY-MM-DD, or a date-time with an offset (feeds sometimes give a full timestamp for "since"; the UTC date
    /// is what we show). A date-time without an offset is refused: its day depends on a zone nobody stated.</summary>
    private static bool TryParseStatusSince(string text, out DateOnly date)
    {
        if (PlainDate().IsMatch(text)) return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
        if (TryParseDateTimeWithOffset(text, out var at))
        {
            date = DateOnly.FromDateTime(at.UtcDateTime);
            return true;
        }
        date = default;
        return false;
    }

    /// <summary>A date-time with an offset, or a plain date (taken as midnight UTC).</summary>
    private static bool TryParseUpdatedAt(string text, out DateTimeOffset at)
    {
        if (PlainDate().IsMatch(text) && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            at = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return true;
        }
        return TryParseDateTimeWithOffset(text, out at);
    }

    private static bool TryParseDateTimeWithOffset(string text, out DateTimeOffset at)
    {
        at = default;
        // The shape is checked first so the lenient general parser only ever sees strict ISO 8601.
        if (!DateTimeWithOffset().IsMatch(text)) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
        at = parsed.ToUniversalTime();
        return true;
    }

    private static bool IsWebUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string? CleanOneLine(string? text) => text is null ? null : Blank(UntrustedText.CleanLine(text).Trim());

    private static string? Blank(string text) => text.Length == 0 ? null : text;

    /// <summary>A value quoted in a reason, which lands in logs and chat: short, with invisible characters made visible.</summary>
    internal static string ForDisplay(string text) => Visible(Shorten(text));

    /// <summary>Control and format characters (and lone surrogates) written as \uXXXX escapes.</summary>
    private static string Visible(string text)
    {
        if (UntrustedText.IdProblem(text) is null) return text;
        var visible = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate) visible.Append($"\\u{(int)c:X4}");
            else visible.Append(c);
        }
        return visible.ToString();
    }

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
        // The reader quotes the offending character, which the feed chose.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return Visible((cut > 0 ? message[..cut] : message).Trim().TrimEnd('.'));
    }
}

/// <summary>Outcome of parsing one document.</summary>
/// <param name="Rejections">The first <see cref="MaxRejectionsKept"/> rejections, in document order.</param>
/// <param name="DocumentError">Why the whole document was refused; null when it parsed.</param>
/// <param name="RecordCount">How many records the document held, valid or not.</param>
public sealed record FeedParseResult(
    string Source,
    IReadOnlyList<CaseRecord> Cases,
    IReadOnlyList<RecordRejection> Rejections,
    string? DocumentError,
    int RecordCount)
{
    /// <summary>A feed that is wrong throughout would otherwise keep one reason per record in memory and in the log.</summary>
    public const int MaxRejectionsKept = 100;

    /// <summary>All rejected records, including those beyond <see cref="Rejections"/>.</summary>
    public int RejectedCount { get; init; } = Rejections.Count;

    /// <summary>Every id a rejected record had, where it could be read: those cases were listed, so they are not removed.</summary>
    public IReadOnlySet<string> RejectedIds { get; init; } = EmptyIds;

    /// <summary>Rejected records whose id could not be read: one of them may be any stored case.</summary>
    public int RejectedWithoutId { get; init; }

    public bool IsValid => DocumentError is null;

    public static FeedParseResult Invalid(string source, string error) => new(source, [], [], error, 0);

    private static readonly IReadOnlySet<string> EmptyIds = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>A record the parser refused, with where it was and why.</summary>
/// <param name="Id">The record's id as the feed wrote it (trimmed), when it could be read.</param>
public sealed record RecordRejection(string Source, int Index, string? Id, string Reason)
{
    // The id is the feed's text: shown with its invisible characters made visible, so a log line cannot be forged.
    public override string ToString() => $"source '{Source}', record #{Index}{(Id is null ? "" : $" (id '{CaseFeedParser.ForDisplay(Id)}')")}: {Reason}";
}

/// <summary>Gathers the records and rejections of one document, in order, keeping only the first rejections.</summary>
internal sealed class ResultCollector(string source, int expectedRecords)
{
    private readonly List<CaseRecord> _records = new(Math.Min(expectedRecords, 1 << 16));
    private readonly List<RecordRejection> _rejections = [];
    private readonly HashSet<string> _rejectedIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seenIds = new(StringComparer.Ordinal);
    private int _rejectedCount;
    private int _rejectedWithoutId;

    public void Add(int index, (CaseRecord? Record, string? Id, string? Reason) read)
    {
        var (record, id, reason) = read;
        if (record is not null && !_seenIds.Add(record.Id))
        {
            reason = $"duplicate id '{CaseFeedParser.ForDisplay(record.Id)}' (an earlier record in this document has it; ids must be unique per source)";
            record = null;
        }
        if (record is not null)
        {
            _records.Add(record);
            return;
        }

        _rejectedCount++;
        if (id is null) _rejectedWithoutId++;
        else _rejectedIds.Add(id);
        if (_rejections.Count < FeedParseResult.MaxRejectionsKept)
        {
            _rejections.Add(new RecordRejection(source, index, id, reason ?? "the record cannot be read"));
        }
    }

    public FeedParseResult Result(int recordCount) => new(source, _records, _rejections, null, recordCount)
    {
        RejectedCount = _rejectedCount,
        RejectedIds = _rejectedIds,
        RejectedWithoutId = _rejectedWithoutId,
    };
}
