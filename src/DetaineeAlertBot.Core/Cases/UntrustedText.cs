using System.Globalization;
using System.Text;

namespace DetaineeAlertBot.Core.Cases;

/// <summary>UntrustedText cleans text that strangers wrote (feed records, guild names) before we store, log or show it.
/// Control characters could forge log lines or break chat layouts; bidirectional overrides and invisible characters
/// could make a name look like someone else's. ZWJ and ZWNJ stay: many scripts (Persian, Indic, emoji) need them.</summary>
public static class UntrustedText
{
    public const string IdProblemReason = "id contains control or format characters";

    /// <summary>One line of text: every control character goes, except that tabs and line breaks become a space so
    /// the words they separated stay apart. Returns the same instance when nothing changes.</summary>
    public static string CleanLine(string text) => Clean(text, multiline: false);

    /// <summary>Text of several lines: like <see cref="CleanLine"/>, but keeps '\n' and '\t'; "\r\n" and a lone '\r'
    /// become '\n'. Returns the same instance when nothing changes.</summary>
    public static string CleanMultiline(string text) => Clean(text, multiline: true);

    /// <summary>Why <paramref name="id"/> cannot be an id, or null when it can. Ids are matched byte for byte, so
    /// we refuse rather than clean them: a cleaned id could collide with another case's id.</summary>
    public static string? IdProblem(string id)
    {
        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                // Format characters outside the BMP (tag characters) are as invisible as those inside it.
                if (CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(c, id[i + 1])) == UnicodeCategory.Format) return IdProblemReason;
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return IdProblemReason;
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format) return IdProblemReason;
        }
        return null;
    }

    private static string Clean(string text, bool multiline)
    {
        var firstChange = FirstCharToChange(text, multiline);
        if (firstChange < 0)
        {
            return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        }

        var builder = new StringBuilder(text.Length);
        builder.Append(text, 0, firstChange);
        for (var i = firstChange; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (c == '\r')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n') i++;
                builder.Append(multiline ? '\n' : ' ');
            }
            else if (c is '\n' or '\t')
            {
                builder.Append(multiline ? c : ' ');
            }
            else if (!IsRemoved(c))
            {
                builder.Append(c);
            }
        }
        // Normalising after removal: a removed character may have separated a base letter from its combining mark.
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    private static int FirstCharToChange(string text, bool multiline)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ')
            {
                if (multiline && (c == '\n' || c == '\t')) continue;
                return i;
            }
            if (c < 0x7F) continue; // printable ASCII: the common case
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (IsRemoved(c)) return i;
        }
        return -1;
    }

    /// <summary>Characters that never survive, in one line or several (line breaks and tabs are decided by the caller).</summary>
    private static bool IsRemoved(char c) =>
        c < ' ' || (c >= 0x7F && c <= 0x9F) // C0, DEL, C1
        || char.IsSurrogate(c) // only reached for a lone half: pairs are skipped before
        || c is >= '\u202A' and <= '\u202E' // bidi embeddings and overrides
        || c is >= '\u2066' and <= '\u2069' // bidi isolates
        || c is '\u200E' or '\u200F' or '\u061C' // directional marks
        || c is '\u200B' or '\u2060' or '\uFEFF' or '\u180E'; // zero-width space, word joiner, BOM, Mongolian vowel separator
}
