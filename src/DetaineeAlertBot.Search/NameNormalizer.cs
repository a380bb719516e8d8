using System.Globalization;
using System.Text;
using AnyAscii;

namespace DetaineeAlertBot.Search;

/// <summary>NormalizedName is a name reduced to comparable lowercase ASCII tokens.</summary>
/// <param name="Tokens">Name parts in their original order: case-folded, accents removed, other scripts transliterated,
/// particles (al-, bin, von, Jr. …) dropped and compounds (Abd al-…, Ben …) joined.</param>
/// <param name="Abjad">True when the text was written in Arabic or Hebrew script: its tokens are consonant skeletons
/// (short vowels are not written) and compare through <see cref="PhoneticKey.Abjad"/> only.</param>
/// <param name="NonLatin">True when any letter was outside the Latin script (the match is then a transliteration).</param>
internal sealed record NormalizedName(string Original, string[] Tokens, bool Abjad, bool NonLatin)
{
    public string Latin => string.Join(' ', Tokens);
}

/// <summary>NameNormalizer turns a name as typed or as a feed spells it into <see cref="NormalizedName"/> tokens.</summary>
internal static class NameNormalizer
{
    // Dropped wherever they stand alone: they are spelt, kept or omitted inconsistently between feeds.
    private static readonly HashSet<string> Particles = new(StringComparer.Ordinal)
    {
        "al", "el", "ul", "ad", "ar", "as", "ash", "at", "az", "an", "ud", "ed", "ez", "es",
        "bin", "ibn", "bint", "binti", "bte", "bn",
        "van", "von", "der", "den", "ter", "ten", "de", "da", "di", "del", "della", "dos", "das", "du",
        "jr", "sr", "ii", "iii", "iv", "mr", "mrs", "ms", "dr",
    };

    // Joined to the next part, because feeds write both "Ben Ali" and "Benali", "Abu Bakr" and "Abubakar".
    private static readonly HashSet<string> JoinPrefixes = new(StringComparer.Ordinal) { "ben", "abu", "abou", "bou" };

    // "Abd al-Rahman", "Abdul Rahman", "Abdel-Rahman", "Abdurrahman" all become "abdrahman".
    private static readonly HashSet<string> AbdForms = new(StringComparer.Ordinal)
    {
        "abd", "abdul", "abdel", "abdal", "abdol", "abdoul", "abdu", "abdur", "abdel", "abdil", "abdal", "bd",
    };

    private static readonly string[] AbdLinkers = ["oul", "ul", "el", "al", "ol", "il", "ou", "u", "e", "a", "o"];

    public static NormalizedName Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new NormalizedName(text ?? "", [], false, false);
        var original = text.Trim();
        var source = original.Normalize(NormalizationForm.FormKC);

        var raw = new List<string>(4);
        var abjadCount = 0;
        var nonLatin = false;
        var cache = _wordCache ??= new Dictionary<string, WordForm>(StringComparer.Ordinal);
        foreach (var word in SplitWords(source))
        {
            // Names reuse a small set of parts, so each distinct word is transliterated once per thread.
            if (!cache.TryGetValue(word, out var form))
            {
                if (cache.Count >= WordCacheLimit) cache.Clear();
                cache[word] = form = FoldWord(word);
            }
            if (form.Script != Script.Latin) nonLatin = true;
            if (form.Script is Script.Arabic or Script.Hebrew) abjadCount++;
            raw.AddRange(form.Tokens);
        }

        var abjad = abjadCount > 0 && abjadCount * 2 >= raw.Count;
        var tokens = Canonicalize(raw, abjad);
        return new NormalizedName(original, tokens, abjad, nonLatin);
    }

    private const int WordCacheLimit = 20_000;

    [ThreadStatic] private static Dictionary<string, WordForm>? _wordCache;

    private sealed record WordForm(Script Script, string[] Tokens);

    private static WordForm FoldWord(string word)
    {
        var script = ScriptOf(word);
        var raw = new List<string>(2);
        switch (script)
        {
            case Script.Arabic:
                AddArabic(word, raw);
                break;
            case Script.Hebrew:
                AddHebrew(StripMarks(word), raw);
                break;
            case Script.Han:
            case Script.Hangul:
                AddSyllabic(word, raw);
                break;
            default:
                AddPlain(word, raw);
                break;
        }
        return new WordForm(script, [.. raw]);
    }

    /// <summary>Lowercase ASCII letters and digits of one word after transliteration.</summary>
    internal static string Fold(string word)
    {
        // Most names in feeds are plain ASCII: skip the transliteration tables for them.
        var plain = true;
        foreach (var ch in word)
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') continue;
            plain = false;
            break;
        }
        if (plain) return word;
        var ascii = IsAscii(word) ? word : word.Transliterate();
        var sb = new StringBuilder(ascii.Length);
        foreach (var ch in ascii)
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') sb.Append(ch);
            else if (ch is >= 'A' and <= 'Z') sb.Append((char)(ch + 32));
        }
        return sb.ToString();
    }

    private static bool IsAscii(string s)
    {
        foreach (var ch in s) if (ch > '\u007f') return false;
        return true;
    }

    private static void AddPlain(string word, List<string> raw)
    {
        var folded = Fold(word);
        if (folded.Length > 0) raw.Add(folded);
    }

    private static void AddArabic(string word, List<string> raw)
    {
        var w = StripMarks(word);
        // The article is written joined ("المصري"); Latin feeds drop it or write it as a separate "al-".
        if (w.Length >= 4 && w[0] == 'ا' && w[1] == 'ل') w = w[2..];
        else if (w.Length >= 4 && w[0] == 'أ' && w[1] == 'ل') w = w[2..];
        if (w is "بن" or "ابن" or "بنت") { raw.Add("bin"); return; }
        if (w == "عبد") { raw.Add("abd"); return; }
        if (w is "أبو" or "ابو") { raw.Add("abu"); return; }
        AddPlain(w, raw);
    }

    private static void AddHebrew(string word, List<string> raw)
    {
        // Bet, kaf and pe are hard (b, k, p) at the start of a word; AnyAscii spells them soft (v, kh, f).
        // Kaf becomes q, not k, so that a following h is not read as the digraph kh.
        var head = word.Length > 1 ? word[0] switch { 'ב' => "b", 'כ' => "q", 'פ' => "p", _ => null } : null;
        // Shin (sh) is far more common in names than sin (s), which AnyAscii assumes.
        word = word.Replace("ש", "sh", StringComparison.Ordinal);
        var folded = head is null ? Fold(word) : head + Fold(word[1..]);
        if (folded.Length > 0) raw.Add(folded);
    }

    // Chinese and Korean names: AnyAscii gives one syllable per character; the family name is the first
    // syllable and the given name is written as one word in Latin feeds ("Wang Xiaoming", "Kim Minjun").
    private static void AddSyllabic(string word, List<string> raw)
    {
        var syllables = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(word);
        while (e.MoveNext())
        {
            var s = Fold((string)e.Current);
            if (s.Length > 0) syllables.Add(s);
        }
        if (syllables.Count == 0) return;
        raw.Add(syllables[0]);
        if (syllables.Count > 1) raw.Add(string.Concat(syllables.Skip(1)));
    }

    private static string[] Canonicalize(List<string> raw, bool abjad)
    {
        var result = new List<string>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            var t = raw[i];
            if (AbdForms.Contains(t) && (t != "bd" || abjad))
            {
                // Join with the next real part, skipping an article between them ("Abd al-Rahman").
                var j = i + 1;
                while (j < raw.Count && Particles.Contains(raw[j])) j++;
                if (j < raw.Count) { result.Add("abd" + StripAbdLinker(raw[j])); i = j; continue; }
                result.Add("abd");
                continue;
            }
            if (t.Length > 5 && t.StartsWith("abd", StringComparison.Ordinal))
            {
                result.Add("abd" + StripAbdLinker(t[3..]));
                continue;
            }
            if (JoinPrefixes.Contains(t) && i + 1 < raw.Count && !Particles.Contains(raw[i + 1]))
            {
                result.Add(t + raw[i + 1]);
                i++;
                continue;
            }
            if (Particles.Contains(t)) continue;
            result.Add(t);
        }
        // A name that is nothing but particles ("Al", "De") is still a name.
        if (result.Count == 0) result.AddRange(raw);
        return [.. result];
    }

    private static string StripAbdLinker(string rest)
    {
        foreach (var linker in AbdLinkers)
        {
            if (rest.Length > linker.Length + 2 && rest.StartsWith(linker, StringComparison.Ordinal))
            {
                rest = rest[linker.Length..];
                break;
            }
        }
        // Sun-letter assimilation doubles the consonant: "Abdurrahman".
        if (rest.Length > 3 && rest[0] == rest[1]) rest = rest[1..];
        return rest;
    }

    private static IEnumerable<string> SplitWords(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in text)
        {
            // Apostrophes and ayin/hamza marks live inside words ("Ch'iao", "O'Brien", "Ma'ruf").
            if (ch is '\'' or '’' or 'ʼ' or 'ʻ' or '`' or '´' or 'ʿ' or 'ʾ') continue;
            // Zero-width (non-)joiners sit inside Persian compound names ("حبیب‌الله").
            if (ch is '\u200C' or '\u200D') continue;
            if (char.IsLetterOrDigit(ch) || char.GetUnicodeCategory(ch) is UnicodeCategory.NonSpacingMark
                    or UnicodeCategory.SpacingCombiningMark)
            {
                // A change of script splits words ("王小明Wang" is rare, but never merge scripts).
                sb.Append(ch);
                continue;
            }
            if (sb.Length > 0) { yield return sb.ToString(); sb.Clear(); }
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    private static string StripMarks(string word)
    {
        var sb = new StringBuilder(word.Length);
        foreach (var ch in word)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (ch == '\u0640') continue; // tatweel, a typographic stretch
            sb.Append(ch);
        }
        return sb.ToString();
    }

    internal enum Script { Latin, Arabic, Hebrew, Han, Hangul, Other }

    internal static Script ScriptOf(string word)
    {
        foreach (var ch in word)
        {
            if (!char.IsLetter(ch)) continue;
            if (ch < 0x0250 || ch is >= '\u1E00' and <= '\u1EFF') return Script.Latin;
            if (ch is >= '\u0600' and <= '\u06FF' or >= '\u0750' and <= '\u077F' or >= '\u08A0' and <= '\u08FF'
                    or >= '\uFB50' and <= '\uFDFF' or >= '\uFE70' and <= '\uFEFF')
                return Script.Arabic;
            if (ch is >= '\u0590' and <= '\u05FF' or >= '\uFB1D' and <= '\uFB4F') return Script.Hebrew;
            if (ch is >= '\u4E00' and <= '\u9FFF' or >= '\u3400' and <= '\u4DBF' or >= '\uF900' and <= '\uFAFF')
                return Script.Han;
            if (ch is >= '\uAC00' and <= '\uD7AF') return Script.Hangul;
            return Script.Other;
        }
        return Script.Latin;
    }
}
