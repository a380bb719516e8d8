namespace DetaineeAlertBot.Core.Commands;

/// <summary>
/// Options written as key:value words, as the contract gives them for Slack: "country:Iran status:detained, charged". A
/// value runs up to the next word that starts a known key; keys are case-insensitive. Discord's separate options are
/// joined into the same text, so one parser serves both.
/// </summary>
public static class KeyValueText
{
    /// <summary>The values by key (lower case); words before the first key, or after an unknown one, go to <paramref name="unparsed"/>.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string? text, IReadOnlyCollection<string> keys, out string unparsed)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var stray = new List<string>();
        string? current = null;
        var buffer = new List<string>();
        foreach (var word in (text ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = word.IndexOf(':', StringComparison.Ordinal);
            var key = colon > 0 ? word[..colon] : null;
            if (key is not null && keys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                Flush();
                current = key.ToLowerInvariant();
                if (word.Length > colon + 1) buffer.Add(word[(colon + 1)..]);
                continue;
            }
            if (current is null) stray.Add(word);
            else buffer.Add(word);
        }
        Flush();
        unparsed = string.Join(' ', stray);
        return values;

        void Flush()
        {
            if (current is not null && buffer.Count > 0) values[current] = string.Join(' ', buffer);
            current = null;
            buffer.Clear();
        }
    }

    /// <summary>"country:Iran status:detained": options joined as key:value words.</summary>
    public static string Join(IEnumerable<KeyValuePair<string, string>> values) =>
        string.Join(' ', values.Where(v => !string.IsNullOrWhiteSpace(v.Value)).Select(v => $"{v.Key}:{v.Value.Trim()}"));
}
