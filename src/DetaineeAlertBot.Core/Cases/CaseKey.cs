namespace DetaineeAlertBot.Core.Cases;

/// <summary>CaseKey identifies a case: ids are unique per source only, so the key is (source, id).</summary>
public readonly record struct CaseKey(string Source, string Id)
{
    public override string ToString() => $"{Source}:{Id}";

    /// <summary>Parses "source:id". The id itself may contain colons; the source may not.</summary>
    public static bool TryParse(string? text, out CaseKey key)
    {
        key = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        key = new CaseKey(text[..colon].Trim(), text[(colon + 1)..].Trim());
        return key.Source.Length > 0 && key.Id.Length > 0;
    }
}
