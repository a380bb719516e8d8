using System.Text;

namespace DetaineeAlertBot.Search;

/// <summary>PhoneticKey folds one normalized token (lowercase ASCII) into keys on which common transliteration
/// families meet. Each key is lossy on purpose: equal keys only raise a token's similarity, the ranking still
/// prefers exact spellings.</summary>
internal static class PhoneticKey
{
    /// <summary>Sound key: consonant classes plus three vowel classes (a/e, i/y, o/u).
    /// Mohammed = Muhammad = Mohamad, Hussein = Husayn = Hussain, Smirnoff = Smirnov, Weissmueller = Weissmüller,
    /// Amiry = Amiri, Qiao = Ch'iao, Sergei = Sergey.</summary>
    public static string Sound(string token)
    {
        var sb = new StringBuilder(token.Length);
        var i = 0;
        var n = token.Length;
        // Initial Ye/Ie/Je before a consonant is one Cyrillic letter (Е, Є) spelt three ways: Yevgeny = Ievgen = Evgeny.
        if (n > 3 && token[0] is 'y' or 'i' or 'j' && token[1] == 'e' && !IsVowel(token[2])) i = 1;
        while (i < n)
        {
            var c = token[i];
            var next = i + 1 < n ? token[i + 1] : '\0';
            if (IsVowel(c) && !(c == 'y' && i == 0 && IsVowel(next)))
            {
                // A vowel run becomes one class symbol: the quality of the run matters more than its spelling.
                var start = i;
                while (i < n && IsVowel(token[i])) i++;
                var run = token.AsSpan(start, i - start);
                AppendDistinct(sb, VowelClass(run));
                // Feminine and -ia endings stay distinct: Yevgenia is not Yevgeny, Maryam = Mariam.
                if (run.Length >= 2 && run[^1] == 'a' && sb[^1] == 'I') sb.Append('A');
                continue;
            }
            var (symbol, used) = Consonant(token, i, forAbjad: false);
            if (used == 0) { AppendDistinct(sb, 'K'); symbol = 'S'; used = 1; }
            i += used;
            // A silent h after a vowel and before a consonant or the end: Fatimah/Fatima, Ahmad/Ahmad, Chih/Zhi.
            if (symbol == 'h' && sb.Length > 0 && sb[^1] is 'A' or 'I' or 'U' && (i >= n || !IsVowel(token[i]))) continue;
            AppendDistinct(sb, symbol);
        }
        return sb.ToString();
    }

    /// <summary>Consonant skeleton: vowels, y and w dropped, broad consonant classes. Yevgeny = Evgeny,
    /// Qasim = Kassem, Ghorbani = Qorbani.</summary>
    public static string Skeleton(string token)
    {
        var sb = new StringBuilder(token.Length);
        var i = 0;
        while (i < token.Length)
        {
            var c = token[i];
            if (IsVowel(c) || c == 'w') { i++; continue; }
            var (symbol, used) = Consonant(token, i, forAbjad: false);
            if (used == 0) { AppendDistinct(sb, 'K'); symbol = 'S'; used = 1; }
            i += used;
            symbol = symbol switch
            {
                'G' or 'J' => 'K',
                'p' => 'b',
                'X' => 's',
                'C' => 's',
                _ => symbol,
            };
            AppendDistinct(sb, symbol);
        }
        return sb.ToString();
    }

    /// <summary>Abjad key: how the name would be spelt in Arabic or Hebrew script, where short vowels are not written
    /// and long ones appear as y or w. Used to compare a query pasted in those scripts with Latin spellings
    /// (محمد → mhmd, Mohammed → mwhmd; their weighted distance is one cheap w).</summary>
    public static string Abjad(string token)
    {
        var sb = new StringBuilder(token.Length);
        var i = 0;
        var n = token.Length;
        while (i < n)
        {
            var c = token[i];
            if (IsVowel(c) && c != 'y')
            {
                var start = i;
                while (i < n && IsVowel(token[i]) && token[i] != 'y') i++;
                var run = token.AsSpan(start, i - start);
                // A word-initial vowel is carried by a silent alif or ayin (Ibrahim = ابراهيم, not ایبراهیم).
                if (start == 0) continue;
                // Long vowels are written, short ones are not. In Latin spellings i and ee are mostly long (Amir, Saeed),
                // a single u mostly short (Muhammad, Hussein) and ou/oo long (Yousef, Mansour).
                if (run.Contains('i') || run.Contains("ee", StringComparison.Ordinal)) AppendDistinct(sb, 'y');
                else if (run.Contains("ou", StringComparison.Ordinal) || run.Contains("oo", StringComparison.Ordinal) || run.Contains("uu", StringComparison.Ordinal)) AppendDistinct(sb, 'w');
                continue;
            }
            var (symbol, used) = Consonant(token, i, forAbjad: true);
            if (used == 0) { AppendDistinct(sb, 'K'); symbol = 'S'; used = 1; }
            i += used;
            AppendDistinct(sb, symbol);
        }
        return sb.ToString();
    }

    internal static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u' or 'y';

    private static char VowelClass(ReadOnlySpan<char> run)
    {
        if (run.Contains('i') || run.Contains('y') || run.Contains("ee", StringComparison.Ordinal)) return 'I';
        if (run.Contains('u') || run.Contains('o')) return 'U';
        return 'A';
    }

    private static void AppendDistinct(StringBuilder sb, char symbol)
    {
        if (sb.Length == 0 || sb[^1] != symbol) sb.Append(symbol);
    }

    // Returns the class symbol of the consonant (or digraph) at i and how many letters it used.
    // Upper-case symbols are classes: S = s/z/ts, X = sh/sch, J = j/zh/ch/q before i, K = k/q/c/ck, G = g/gh.
    private static (char Symbol, int Used) Consonant(string t, int i, bool forAbjad)
    {
        var c = t[i];
        var next = i + 1 < t.Length ? t[i + 1] : '\0';
        var next2 = i + 2 < t.Length ? t[i + 2] : '\0';
        switch (c)
        {
            case 's' when next == 'c' && next2 == 'h': return ('X', 3);
            case 's' when next == 'h': return ('X', 2);
            case 'c' when next == 'h': return (forAbjad ? 'X' : 'J', 2);
            case 'z' when next == 'h': return ('J', 2);
            case 'k' when next == 'h': return (forAbjad ? 'x' : 'h', 2);
            case 'g' when next == 'h': return (forAbjad ? 'K' : 'G', 2);
            case 'p' when next == 'h': return ('f', 2);
            case 't' when next == 'h': return (forAbjad ? 'S' : 'D', 2);
            case 'd' when next == 'h': return (forAbjad ? 'S' : 'D', 2);
            case 'd' when next == 'j': return ('J', 2);
            case 't' when next is 's' or 'z': return ('S', 2);
            case 'c' when next == 'k': return ('K', 2);
            // Wade-Giles "hs" is pinyin "x".
            case 'h' when next == 's' && i == 0 && !forAbjad: return ('S', 2);
            case 'x' when i == 0: return ('S', 1);
            // Elsewhere x is "ks" (Alexei = Aleksey); the caller appends the S.
            case 'x': return ('K', 0);
        }
        return c switch
        {
            'b' => (forAbjad ? 'B' : 'b', 1),
            'p' => (forAbjad ? 'B' : 'p', 1),
            'f' => ('f', 1),
            'v' or 'w' => (forAbjad ? 'w' : 'f', 1),
            'd' or 't' => ('D', 1),
            's' or 'z' => ('S', 1),
            'c' => (next is 'e' or 'i' ? 'S' : 'K', 1),
            'k' => ('K', 1),
            'q' => (!forAbjad && next == 'i' ? 'J' : 'K', 1),
            'g' => (forAbjad ? 'K' : 'G', 1),
            'j' => ('J', 1),
            'y' => ('y', 1),
            _ => (c, 1),
        };
    }
}
