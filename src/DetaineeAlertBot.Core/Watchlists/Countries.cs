using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace DetaineeAlertBot.Core.Watchlists;

/// <summary>
/// Countries as feeds and people write them: an ISO 3166 code (two or three letters: "IR", "IRN") or a name ("Iran",
/// "Islamic Republic of Iran", "ایران"), matched case- and accent-insensitively to one key, the two-letter code. The names
/// come from .NET's region data (the English and native name of each of its regions) plus the common long and short
/// forms listed in <see cref="Aliases"/>; anything else is compared as text (docs/rules.md).
/// </summary>
public static class Countries
{
    /// <summary>Forms the region data lacks: official long names, short names, old names.</summary>
    private static readonly (string Name, string Code)[] Aliases =
    [
        ("USA", "US"), ("United States of America", "US"), ("America", "US"), ("U.S.", "US"), ("U.S.A.", "US"),
        ("UK", "GB"), ("Great Britain", "GB"), ("Britain", "GB"), ("England", "GB"),
        ("Islamic Republic of Iran", "IR"), ("Iran, Islamic Republic of", "IR"), ("Persia", "IR"),
        ("Russian Federation", "RU"), ("Syrian Arab Republic", "SY"), ("Republic of Korea", "KR"), ("Korea, Republic of", "KR"),
        ("Democratic People's Republic of Korea", "KP"), ("DPRK", "KP"), ("Burma", "MM"), ("Ivory Coast", "CI"),
        ("Czech Republic", "CZ"), ("Türkiye", "TR"), ("Turkey", "TR"), ("Palestinian Territories", "PS"), ("Palestine", "PS"),
        ("Venezuela, Bolivarian Republic of", "VE"), ("Viet Nam", "VN"), ("Lao People's Democratic Republic", "LA"),
        ("Democratic Republic of the Congo", "CD"), ("DRC", "CD"), ("Republic of the Congo", "CG"), ("UAE", "AE"),
    ];

    private static readonly FrozenDictionary<string, string> ByName = Build();

    /// <summary>The two-letter code for <paramref name="text"/>, or null when it names no country we know.</summary>
    public static string? Code(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return ByName.TryGetValue(Fold(text), out var code) ? code : null;
    }

    /// <summary>What two ways of writing one country share: the two-letter code when it is known, else the folded text;
    /// null for nothing.</summary>
    public static string? Key(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var folded = Fold(text);
        return ByName.TryGetValue(folded, out var code) ? code : folded;
    }

    /// <summary>Whether two ways of writing a country name the same one ("IR", "Iran", "IRN", "iran").</summary>
    public static bool Same(string? a, string? b) => Key(a) is { } key && key == Key(b);

    /// <summary>Lower case, no accents or marks, single spaces, no dots: "Türkiye" and "turkiye", "U.S." and "us".</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Trim().Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        var space = false;
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark || c == '.') continue;
            if (char.IsWhiteSpace(c) || c is '-' or '_')
            {
                space = folded.Length > 0;
                continue;
            }
            if (space) folded.Append(' ');
            space = false;
            folded.Append(char.ToLowerInvariant(c));
        }
        return folded.ToString().Normalize(NormalizationForm.FormC);
    }

    private static FrozenDictionary<string, string> Build()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var culture in CultureInfo.GetCultures(CultureTypes.SpecificCultures))
        {
            RegionInfo region;
            try
            {
                region = new RegionInfo(culture.Name);
            }
            catch (ArgumentException)
            {
                continue;
            }
            var code = region.TwoLetterISORegionName;
            if (code.Length != 2 || !code.All(char.IsAsciiLetterUpper)) continue;
            foreach (var name in new[] { code, region.ThreeLetterISORegionName, region.EnglishName, region.NativeName })
            {
                if (!string.IsNullOrWhiteSpace(name)) names.TryAdd(Fold(name), code);
            }
        }
        foreach (var (name, code) in Aliases) names[Fold(name)] = code;
        return names.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
