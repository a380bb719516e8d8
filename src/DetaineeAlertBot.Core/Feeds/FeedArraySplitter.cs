namespace DetaineeAlertBot.Core.Feeds;

/// <summary>FeedArraySplitter finds the records of a feed document that does not parse as a whole, so that one bad
/// record (an invalid escape, raw invalid bytes) costs only that record. It reads structure only: strings, escapes,
/// comments and bracket nesting. It never decides whether a record is valid JSON; each record is parsed on its own
/// afterwards. When the structure itself is broken (unbalanced, truncated, another shape), it says why and finds nothing.</summary>
internal static class FeedArraySplitter
{
    /// <param name="Records">Where each record is in the document; an empty range is a record missing between two commas.</param>
    /// <param name="RecordDepth">How deep the records array is nested (1 for a bare array, 2 inside the wrapper object).</param>
    internal sealed record Split(IReadOnlyList<Range> Records, int RecordDepth, string? Error, bool TooManyRecords = false)
    {
        public static Split Broken(string error) => new([], 0, error);
    }

    public static Split Find(ReadOnlySpan<byte> document, int maxRecords)
    {
        var position = document.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        if (!TrySkipSpace(document, ref position)) return Split.Broken("a comment is not closed");
        if (position >= document.Length) return Split.Broken("the document is empty");

        Split found;
        if (document[position] == (byte)'[')
        {
            found = SplitArray(document, ref position, recordDepth: 1, maxRecords);
        }
        else if (document[position] == (byte)'{')
        {
            found = SplitWrapper(document, ref position, maxRecords);
        }
        else
        {
            return Split.Broken("expected an object with a \"cases\" array, or a bare array of cases");
        }
        if (found.Error is not null) return found;

        if (!TrySkipSpace(document, ref position)) return Split.Broken("a comment is not closed");
        return position == document.Length ? found : Split.Broken($"unexpected text after the end of the document at byte {position}");
    }

    /// <summary>The value of a top-level "id" member of a record that does not parse, when that value itself is a
    /// plain string or number; null otherwise. Knowing the id keeps a broken record from counting as "no longer listed".</summary>
    public static ReadOnlySpan<byte> FindIdValue(ReadOnlySpan<byte> record)
    {
        var position = 0;
        if (!TrySkipSpace(record, ref position) || position >= record.Length || record[position] != (byte)'{') return default;
        position++;
        while (true)
        {
            if (!TrySkipSpace(record, ref position) || position >= record.Length || record[position] != (byte)'"') return default;
            var keyStart = position;
            position = EndOfString(record, position);
            if (position < 0) return default;
            var key = record[(keyStart + 1)..(position - 1)];
            if (!TrySkipSpace(record, ref position) || position >= record.Length || record[position] != (byte)':') return default;
            position++;
            if (!TrySkipSpace(record, ref position)) return default;
            var valueStart = position;
            var separator = FindSeparator(record, position, (byte)'}', out _);
            if (separator < 0) return default;
            if (key.SequenceEqual("id"u8)) return record[valueStart..separator].TrimEnd(" \t\r\n"u8);
            if (record[separator] == (byte)'}') return default;
            position = separator + 1;
        }
    }

    private static Split SplitWrapper(ReadOnlySpan<byte> document, ref int position, int maxRecords)
    {
        Split? cases = null;
        position++; // '{'
        while (true)
        {
            if (!TrySkipSpace(document, ref position)) return Split.Broken("a comment is not closed");
            if (position >= document.Length) return Split.Broken("the document ends inside its top-level object (truncated?)");
            if (document[position] == (byte)'}')
            {
                position++;
                break;
            }
            if (document[position] != (byte)'"') return Split.Broken($"expected a property name at byte {position}");
            var keyStart = position;
            position = EndOfString(document, position);
            if (position < 0) return Split.Broken("a property name is not closed (truncated?)");
            var isCases = document[(keyStart + 1)..(position - 1)].SequenceEqual("cases"u8);
            if (!TrySkipSpace(document, ref position) || position >= document.Length || document[position] != (byte)':')
            {
                return Split.Broken($"expected ':' after a property name at byte {position}");
            }
            position++;
            if (!TrySkipSpace(document, ref position)) return Split.Broken("a comment is not closed");
            if (position >= document.Length) return Split.Broken("the document ends after a property name (truncated?)");

            if (isCases && cases is null && document[position] == (byte)'[')
            {
                cases = SplitArray(document, ref position, recordDepth: 2, maxRecords);
                if (cases.Error is not null) return cases;
                if (!TrySkipSpace(document, ref position)) return Split.Broken("a comment is not closed");
                if (position >= document.Length) return Split.Broken("the document ends after the \"cases\" array (truncated?)");
                if (document[position] is not ((byte)',' or (byte)'}')) return Split.Broken($"expected ',' or '}}' after the \"cases\" array at byte {position}");
            }
            else
            {
                // Other members are ignored, as they are when the document parses; only their brackets must balance.
                position = FindSeparator(document, position, (byte)'}', out var error);
                if (position < 0) return Split.Broken(error!);
            }
            if (document[position] == (byte)',') position++;
        }
        return cases ?? Split.Broken("expected an object with a \"cases\" array, or a bare array of cases");
    }

    private static Split SplitArray(ReadOnlySpan<byte> document, ref int position, int recordDepth, int maxRecords)
    {
        var records = new List<Range>();
        position++; // '['
        while (true)
        {
            if (!TrySkipSpace(document, ref position)) return Split.Broken("a comment is not closed");
            var start = position;
            var separator = FindSeparator(document, position, (byte)']', out var error);
            if (separator < 0) return Split.Broken(error!);
            var isLast = document[separator] == (byte)']';
            // Nothing before ']' is "[]" or a trailing comma (both accepted); nothing before ',' is a missing record,
            // which is that record's fault, not the document's.
            if (!(isLast && separator == start)) records.Add(new Range(start, separator));
            if (records.Count > maxRecords) return new Split([], recordDepth, $"the document holds more than {maxRecords} records", TooManyRecords: true);
            position = separator + 1;
            if (isLast) return new Split(records, recordDepth, null);
        }
    }

    /// <summary>Index of the ',' or <paramref name="closer"/> that ends the value starting at <paramref name="position"/>,
    /// skipping strings, comments and nested brackets; -1 with a reason when the structure is broken.</summary>
    private static int FindSeparator(ReadOnlySpan<byte> text, int position, byte closer, out string? error)
    {
        var open = new Stack<byte>();
        while (position < text.Length)
        {
            var b = text[position];
            switch (b)
            {
                case (byte)'"':
                    position = EndOfString(text, position);
                    if (position < 0)
                    {
                        error = "a string is not closed (truncated?)";
                        return -1;
                    }
                    continue;
                case (byte)'/' when position + 1 < text.Length && text[position + 1] is (byte)'/' or (byte)'*':
                    if (!TrySkipSpace(text, ref position))
                    {
                        error = "a comment is not closed";
                        return -1;
                    }
                    continue;
                case (byte)'[':
                    open.Push((byte)']');
                    break;
                case (byte)'{':
                    open.Push((byte)'}');
                    break;
                case (byte)']' or (byte)'}':
                    if (open.Count == 0)
                    {
                        if (b == closer)
                        {
                            error = null;
                            return position;
                        }
                        error = $"unbalanced '{(char)b}' at byte {position}";
                        return -1;
                    }
                    if (open.Pop() != b)
                    {
                        error = $"'{(char)b}' at byte {position} closes a bracket of the other kind";
                        return -1;
                    }
                    break;
                case (byte)',' when open.Count == 0:
                    error = null;
                    return position;
            }
            position++;
        }
        error = "the document ends inside an array or object (truncated?)";
        return -1;
    }

    /// <summary>Index just after the closing quote of the string opening at <paramref name="quote"/>; -1 when unclosed.
    /// An escape skips the byte after the backslash, whatever it is: judging escapes is the record parser's job.</summary>
    private static int EndOfString(ReadOnlySpan<byte> text, int quote)
    {
        for (var i = quote + 1; i < text.Length; i++)
        {
            if (text[i] == (byte)'\\') i++;
            else if (text[i] == (byte)'"') return i + 1;
        }
        return -1;
    }

    /// <summary>Skips whitespace and comments; false when a block comment is not closed.</summary>
    private static bool TrySkipSpace(ReadOnlySpan<byte> text, ref int position)
    {
        while (position < text.Length)
        {
            var b = text[position];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                position++;
            }
            else if (b == (byte)'/' && position + 1 < text.Length && text[position + 1] == (byte)'/')
            {
                var end = text[position..].IndexOf((byte)'\n');
                position = end < 0 ? text.Length : position + end + 1;
            }
            else if (b == (byte)'/' && position + 1 < text.Length && text[position + 1] == (byte)'*')
            {
                var end = text[(position + 2)..].IndexOf("*/"u8);
                if (end < 0) return false;
                position += 2 + end + 2;
            }
            else
            {
                return true;
            }
        }
        return true;
    }
}
