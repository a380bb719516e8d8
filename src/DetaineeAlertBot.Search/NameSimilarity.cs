namespace DetaineeAlertBot.Search;

/// <summary>How a query token met a name token; the weakest link decides how a hit is explained.</summary>
internal enum TokenVia : byte
{
    Exact,
    Phonetic,
    Fuzzy,
    Abjad,
}

/// <summary>NameSimilarity holds the string measures the ranking is built from. All are allocation-free.</summary>
internal static class NameSimilarity
{
    private const int MaxStackLength = 64;

    // Swapped neighbours are the commonest typing slip; they cost less than two unrelated letters.
    private const double TranspositionCost = 0.6;

    /// <summary>Optimal string alignment distance: Levenshtein plus adjacent transposition ("Sarhna" → "Sarhan"),
    /// which costs <see cref="TranspositionCost"/>.</summary>
    public static double Osa(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.SequenceEqual(b)) return 0;
        if (a.Length == 0) return b.Length;
        if (b.Length == 0) return a.Length;
        if (a.Length > MaxStackLength || b.Length > MaxStackLength) { a = a[..Math.Min(a.Length, MaxStackLength)]; b = b[..Math.Min(b.Length, MaxStackLength)]; }
        var w = b.Length + 1;
        Span<double> prev2 = stackalloc double[w];
        Span<double> prev = stackalloc double[w];
        Span<double> cur = stackalloc double[w];
        for (var j = 0; j < w; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var v = Math.Min(Math.Min(prev[j] + 1, cur[j - 1] + 1), prev[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = Math.Min(v, prev2[j - 2] + TranspositionCost);
                cur[j] = v;
            }
            var t = prev2; prev2 = prev; prev = cur; cur = t;
        }
        return prev[b.Length];
    }

    /// <summary>1 − distance / longer length, in 0..1.</summary>
    public static double EditSimilarity(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var max = Math.Max(a.Length, b.Length);
        if (max == 0) return 1;
        return Math.Max(0, 1.0 - Osa(a, b) / max);
    }

    /// <summary>Similarity of two <see cref="PhoneticKey.Abjad"/> keys. Written long vowels (y, w) and h are cheap to
    /// insert or drop, and letters that transliterate two ways (ض as d or z, خ as kh or h) substitute at half cost.
    /// Normalised by consonants (y, w, h count half): a y/w difference should not halve the score of a three-letter name.</summary>
    public static double AbjadSimilarity(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        if (a.SequenceEqual(b)) return 1;
        var cost = Weighted(a, b, abjad: true);
        return Math.Max(0, 1.0 - cost / Math.Max(ConsonantCount(a), ConsonantCount(b)));
    }

    /// <summary>Similarity of two <see cref="PhoneticKey.Sound"/> keys: a different vowel class, g/h (Ukrainian г) or
    /// b/v (Avraham/Abraham) costs half an edit.</summary>
    public static double SoundSimilarity(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var max = Math.Max(a.Length, b.Length);
        if (max == 0 || a.SequenceEqual(b)) return 1;
        return Math.Max(0, 1.0 - Weighted(a, b, abjad: false) / max);
    }

    private static double Weighted(ReadOnlySpan<char> a, ReadOnlySpan<char> b, bool abjad)
    {
        if (a.Length > MaxStackLength) a = a[..MaxStackLength];
        if (b.Length > MaxStackLength) b = b[..MaxStackLength];
        var w = b.Length + 1;
        Span<double> prev = stackalloc double[w];
        Span<double> cur = stackalloc double[w];
        prev[0] = 0;
        for (var j = 1; j < w; j++) prev[j] = prev[j - 1] + IndelCost(b[j - 1], abjad);
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = prev[0] + IndelCost(a[i - 1], abjad);
            for (var j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(
                    Math.Min(prev[j] + IndelCost(a[i - 1], abjad), cur[j - 1] + IndelCost(b[j - 1], abjad)),
                    prev[j - 1] + (abjad ? AbjadSubstitution(a[i - 1], b[j - 1]) : SoundSubstitution(a[i - 1], b[j - 1])));
            }
            var t = prev; prev = cur; cur = t;
        }
        return prev[b.Length];
    }

    // Length for normalising abjad distances: y, w and h count half, as they are half vowels in these scripts.
    private static double ConsonantCount(ReadOnlySpan<char> s)
    {
        var n = 0.0;
        foreach (var c in s) n += c is 'y' or 'w' or 'h' ? 0.5 : 1.0;
        return Math.Max(n, 1);
    }

    private static double IndelCost(char c, bool abjad) => abjad
        ? (c is 'y' or 'w' or 'h' ? 0.35 : 1.0)
        : (c is 'A' or 'I' or 'U' or 'h' ? 0.6 : 1.0);

    private static bool IsVowelClass(char c) => c is 'A' or 'I' or 'U';

    private static double SoundSubstitution(char a, char b)
    {
        if (a == b) return 0;
        if (IsVowelClass(a) && IsVowelClass(b)) return 0.5;
        return (a, b) switch
        {
            ('G', 'h') or ('h', 'G') => 0.5,
            ('G', 'K') or ('K', 'G') => 0.5,
            ('b', 'f') or ('f', 'b') => 0.5,
            ('b', 'p') or ('p', 'b') => 0.5,
            ('J', 'K') or ('K', 'J') => 0.6,
            ('J', 'X') or ('X', 'J') => 0.6,
            ('X', 'S') or ('S', 'X') => 0.6,
            ('D', 'S') or ('S', 'D') => 0.7,
            _ => 1.0,
        };
    }

    private static double AbjadSubstitution(char a, char b)
    {
        if (a == b) return 0;
        return (a, b) switch
        {
            ('D', 'S') or ('S', 'D') => 0.25,
            ('K', 'x') or ('x', 'K') => 0.5,
            ('h', 'x') or ('x', 'h') => 0.5,
            ('X', 'S') or ('S', 'X') => 0.5,
            ('J', 'K') or ('K', 'J') => 0.5,
            ('J', 'S') or ('S', 'J') => 0.5,
            ('w', 'B') or ('B', 'w') => 0.5,
            ('w', 'f') or ('f', 'w') => 0.5,
            ('y', 'w') or ('w', 'y') => 0.35,
            _ => 1.0,
        };
    }
}
