using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Watchlists;

namespace DetaineeAlertBot.Bench.Rules;

/// <summary>
/// SyntheticRouting gives synthetic cases (<see cref="SyntheticCases"/>) where they are held, their nationality and who
/// holds them, in proportions that follow each name culture (most Iranian names held in Iran, a share of dual nationals,
/// Ukrainians mostly held in Russia), written the ways feeds write them ("Iran", "IR", "Islamic Republic of Iran"); and
/// the rule entries channels would keep about them: a few broad ones (a country holding a tenth of the cases) and many
/// narrow ones (a small country, a nationality, who holds, a status list). Seeded: the same data every run.
/// </summary>
public static class SyntheticRouting
{
    /// <summary>How feeds and people write each country; the first form is the usual one.</summary>
    private static readonly Dictionary<string, string[]> Forms = new(StringComparer.Ordinal)
    {
        ["IR"] = ["Iran", "IR", "Islamic Republic of Iran", "IRN"],
        ["RU"] = ["Russia", "RU", "Russian Federation"],
        ["CN"] = ["China", "CN", "CHN"],
        ["BY"] = ["Belarus", "BY"],
        ["UA"] = ["Ukraine", "UA"],
        ["AF"] = ["Afghanistan", "AF"],
        ["PK"] = ["Pakistan", "PK"],
        ["EG"] = ["Egypt", "EG"],
        ["SA"] = ["Saudi Arabia", "SA"],
        ["SY"] = ["Syria", "SY", "Syrian Arab Republic"],
        ["AE"] = ["United Arab Emirates", "AE", "UAE"],
        ["IQ"] = ["Iraq", "IQ"],
        ["LB"] = ["Lebanon", "LB"],
        ["TR"] = ["Türkiye", "Turkey", "TR"],
        ["VE"] = ["Venezuela", "VE", "Venezuela, Bolivarian Republic of"],
        ["NI"] = ["Nicaragua", "NI"],
        ["CU"] = ["Cuba", "CU"],
        ["VN"] = ["Vietnam", "Viet Nam", "VN"],
        ["LA"] = ["Laos", "LA"],
        ["MM"] = ["Myanmar", "Burma", "MM"],
        ["ER"] = ["Eritrea", "ER"],
        ["GE"] = ["Georgia", "GE"],
        ["AZ"] = ["Azerbaijan", "AZ"],
        ["IL"] = ["Israel", "IL"],
        ["US"] = ["US", "United States", "USA"],
        ["GB"] = ["GB", "United Kingdom", "UK"],
        ["FR"] = ["France", "FR"],
        ["DE"] = ["Germany", "DE"],
        ["CA"] = ["Canada", "CA"],
        ["AU"] = ["Australia", "AU"],
        ["SE"] = ["Sweden", "SE"],
        ["ES"] = ["Spain", "ES"],
        ["PL"] = ["Poland", "PL"],
        ["DK"] = ["Denmark", "DK"],
        ["GR"] = ["Greece", "GR"],
        ["CZ"] = ["Czechia", "CZ", "Czech Republic"],
        ["ET"] = ["Ethiopia", "ET"],
        // Not a country of the region data: compared as text.
        ["Gaza Strip"] = ["Gaza Strip", "Gaza strip"],
    };

    /// <summary>Who holds people in each country, with the share of its cases; the rest have no held-by.</summary>
    private static readonly Dictionary<string, (string Name, double Share)[]> Holders = new(StringComparer.Ordinal)
    {
        ["IR"] = [("Revolutionary Guards", 0.40), ("Ministry of Intelligence", 0.35), ("Judiciary", 0.10)],
        ["RU"] = [("FSB", 0.55), ("Investigative Committee", 0.20), ("Ministry of Defence", 0.10)],
        ["CN"] = [("Ministry of State Security", 0.45), ("Public Security Bureau", 0.40)],
        ["BY"] = [("KGB", 0.60), ("Ministry of Internal Affairs", 0.20)],
        ["UA"] = [("SBU", 0.50)],
        ["AF"] = [("Taliban", 0.50), ("General Directorate of Intelligence", 0.30)],
        ["PK"] = [("Inter-Services Intelligence", 0.30), ("Police", 0.40)],
        ["EG"] = [("National Security Agency", 0.50), ("Military Intelligence", 0.20)],
        ["SA"] = [("State Security Presidency", 0.60)],
        ["SY"] = [("Military Intelligence", 0.40), ("Air Force Intelligence", 0.30)],
        ["AE"] = [("State Security", 0.60)],
        ["IQ"] = [("Ministry of Interior", 0.40), ("Popular Mobilization Forces", 0.20)],
        ["LB"] = [("General Security", 0.50)],
        ["TR"] = [("Police", 0.40), ("National Intelligence Organization", 0.30)],
        ["VE"] = [("SEBIN", 0.60), ("DGCIM", 0.30)],
        ["NI"] = [("National Police", 0.60)],
        ["CU"] = [("State Security", 0.60)],
        ["VN"] = [("Ministry of Public Security", 0.70)],
        ["LA"] = [("Ministry of Public Security", 0.50)],
        ["MM"] = [("Military", 0.70)],
        ["ER"] = [("National Security Office", 0.50)],
        ["GE"] = [("State Security Service", 0.40)],
        ["AZ"] = [("State Security Service", 0.50)],
        ["Gaza Strip"] = [("Hamas", 0.70)],
    };

    /// <summary>Per name culture: where held (share), the nationality when not a dual national (null: the country where
    /// held), the share of dual nationals and their other nationality.</summary>
    private sealed record Placement((string Country, double Share)[] HeldIn, string[]? Home, double DualShare, string[] Dual);

    private static readonly Dictionary<string, Placement> ByCulture = new(StringComparer.Ordinal)
    {
        ["syn-arab"] = new([("EG", 0.30), ("SA", 0.20), ("SY", 0.20), ("AE", 0.10), ("IQ", 0.10), ("LB", 0.10)], null, 0.15, ["US", "GB", "CA", "FR", "DE"]),
        ["syn-iran"] = new([("IR", 0.90), ("TR", 0.04), ("IQ", 0.03), ("AE", 0.03)], ["IR"], 0.20, ["US", "GB", "FR", "DE", "SE"]),
        ["syn-af"] = new([("AF", 0.60), ("IR", 0.25), ("PK", 0.15)], ["AF"], 0.05, ["GB", "US", "DE"]),
        ["syn-ru"] = new([("RU", 0.90), ("BY", 0.10)], ["RU"], 0.12, ["US", "DE", "IL"]),
        ["syn-ua"] = new([("RU", 0.60), ("UA", 0.20), ("BY", 0.20)], ["UA"], 0.03, ["PL", "CA"]),
        ["syn-cn"] = new([("CN", 1.00)], ["CN"], 0.15, ["CA", "AU", "US", "GB"]),
        ["syn-uy"] = new([("CN", 0.95), ("TR", 0.05)], ["CN"], 0.05, ["TR", "DE", "AU"]),
        ["syn-il"] = new([("Gaza Strip", 0.80), ("LB", 0.20)], ["IL"], 0.30, ["US", "DE", "FR", "GB"]),
        ["syn-tr"] = new([("TR", 1.00)], ["TR"], 0.15, ["DE", "FR"]),
        ["syn-la"] = new([("VE", 0.40), ("NI", 0.30), ("CU", 0.30)], null, 0.15, ["US", "ES"]),
        ["syn-eu"] = new([("RU", 0.30), ("IR", 0.10), ("BY", 0.15), ("AZ", 0.10), ("GE", 0.15), ("ER", 0.10), ("MM", 0.10)],
            ["DE", "FR", "PL", "DK", "GR", "CZ", "ET", "MM", "GE"], 0.0, []),
        ["syn-vn"] = new([("VN", 0.90), ("LA", 0.10)], ["VN"], 0.15, ["US", "AU", "DE"]),
    };

    /// <summary>Statuses a case starts in, with their shares.</summary>
    private static readonly (CaseStatus Status, double Share)[] Starting =
    [
        (CaseStatus.Detained, 0.55), (CaseStatus.Charged, 0.12), (CaseStatus.OnTrial, 0.05), (CaseStatus.Convicted, 0.03),
        (CaseStatus.Sentenced, 0.10), (CaseStatus.Missing, 0.05), (CaseStatus.Released, 0.10),
    ];

    /// <summary>Gives a case, still carrying its culture as <see cref="CaseRecord.Source"/> (as <see cref="SyntheticCases.Generate"/>
    /// makes it), a country, nationality, held-by and starting status.</summary>
    public static CaseRecord Place(CaseRecord record, Random rng)
    {
        var placement = ByCulture[record.Source];
        var held = Pick(placement.HeldIn, rng);
        var nationality = rng.NextDouble() < placement.DualShare
            ? placement.Dual[rng.Next(placement.Dual.Length)]
            : placement.Home is { } home ? home[rng.Next(home.Length)] : held;
        string? heldBy = null;
        var roll = rng.NextDouble();
        foreach (var (name, share) in Holders[held])
        {
            if (roll < share)
            {
                heldBy = name;
                break;
            }
            roll -= share;
        }
        // One feed in ten writes who holds as a slug ("revolutionary-guards"): the same for a rule.
        if (heldBy is not null && rng.NextDouble() < 0.1) heldBy = heldBy.ToLowerInvariant().Replace(' ', '-');
        return record with
        {
            Country = Written(held, rng),
            Nationality = Written(nationality, rng),
            HeldBy = heldBy,
            Status = Pick(Starting, rng),
        };
    }

    /// <summary>The status a case moves to from <paramref name="status"/>, as cases move.</summary>
    public static CaseStatus Next(CaseStatus status, Random rng) => status switch
    {
        CaseStatus.Detained => rng.Next(10) switch { < 5 => CaseStatus.Charged, < 8 => CaseStatus.Released, _ => CaseStatus.Transferred },
        CaseStatus.Charged => rng.Next(3) == 0 ? CaseStatus.Released : CaseStatus.OnTrial,
        CaseStatus.OnTrial => rng.Next(4) == 0 ? CaseStatus.Acquitted : CaseStatus.Convicted,
        CaseStatus.Convicted => CaseStatus.Sentenced,
        CaseStatus.Sentenced => rng.Next(20) == 0 ? CaseStatus.Deceased : CaseStatus.Released,
        CaseStatus.Missing => rng.Next(5) == 0 ? CaseStatus.Deceased : CaseStatus.Detained,
        _ => CaseStatus.Detained,
    };

    /// <summary>A channel id of the bench's <paramref name="index"/>th channel: even ones on Discord, odd ones on Slack.</summary>
    public static (string Platform, string ChannelId) Channel(int index) =>
        index % 2 == 0
            ? (Platforms.Discord, (1_312_000_000_000_000_000L + index * 7_919L).ToString(System.Globalization.CultureInfo.InvariantCulture))
            : (Platforms.Slack, $"C0BENCH{index:D5}");

    /// <summary><paramref name="channels"/> channels with <paramref name="perChannel"/> rule entries each, by channel
    /// profile: a desk on a big country, court stages in mid-sized ones, a nationality (consular), who holds, outcomes
    /// (status lists), and narrow follows (a small country, a country and nationality together, a held-by there).</summary>
    public static List<WatchRule> Rules(int channels, int perChannel, DateTimeOffset at, int seed = 13)
    {
        var rng = new Random(seed);
        string[] big = ["IR", "RU", "CN"];
        string[] mid = ["EG", "SA", "SY", "TR", "VE", "BY", "AF", "VN", "UA", "IQ", "AE", "PK"];
        string[] small = ["LA", "ER", "GE", "AZ", "CU", "NI", "LB", "MM", "Gaza Strip"];
        string[] nationalities = ["US", "GB", "FR", "DE", "CA", "AU", "SE", "IL", "ES", "PL"];
        var holders = Holders.SelectMany(h => h.Value.Select(v => (Country: h.Key, v.Name))).ToArray();
        CaseStatus[] court = [CaseStatus.Charged, CaseStatus.OnTrial, CaseStatus.Convicted, CaseStatus.Sentenced];
        CaseStatus[] outcomes = [CaseStatus.Released, CaseStatus.Acquitted];
        CaseStatus[] grave = [CaseStatus.Deceased, CaseStatus.Missing];
        var rules = new List<WatchRule>(channels * perChannel);
        for (var c = 0; c < channels; c++)
        {
            var (platform, channelId) = Channel(c);
            WatchRule Rule(string? country = null, string? nationality = null, string? heldBy = null, string? source = null, CaseStatus[]? statuses = null) =>
                new(0, platform, channelId, country, nationality, heldBy, source, statuses ?? [], "bench-admin", at);
            string Any(string[] codes) => AnyForm(codes[rng.Next(codes.Length)], rng);
            var profile = rng.NextDouble();
            var made = new List<WatchRule>(perChannel);
            while (made.Count < perChannel)
            {
                var first = made.Count == 0;
                WatchRule rule;
                if (profile < 0.08)
                {
                    // A desk on one of the big countries (10-16 % of all cases each), and who holds there.
                    var country = big[c % big.Length];
                    var holder = Holders[country][rng.Next(Holders[country].Length)].Name;
                    rule = first ? Rule(country: AnyForm(country, rng)) : Rule(country: AnyForm(country, rng), heldBy: holder);
                }
                else if (profile < 0.23)
                {
                    // Court stages in a mid-sized country; any status in another one.
                    rule = first ? Rule(country: Any(mid), statuses: court) : Rule(country: Any(mid));
                }
                else if (profile < 0.43)
                {
                    // Consular: a nationality (dual nationals, 0.5-3 % of cases), and its releases.
                    var nationality = nationalities[rng.Next(nationalities.Length)];
                    rule = first ? Rule(nationality: AnyForm(nationality, rng)) : Rule(nationality: AnyForm(nationality, rng), statuses: outcomes);
                }
                else if (profile < 0.63)
                {
                    // Who holds: an authority, as typed by an admin; then the same in a given country.
                    var (country, holder) = holders[rng.Next(holders.Length)];
                    var typed = rng.Next(3) == 0 ? holder.ToUpperInvariant() : holder;
                    rule = first ? Rule(heldBy: typed) : Rule(country: AnyForm(country, rng), heldBy: typed, statuses: [CaseStatus.Detained, CaseStatus.Charged]);
                }
                else if (profile < 0.68)
                {
                    // Outcomes anywhere: deaths and disappearances; releases from this source.
                    rule = first ? Rule(statuses: grave) : Rule(source: "bench", statuses: [CaseStatus.Released]);
                }
                else
                {
                    // Narrow: a small country; a country and a nationality together.
                    rule = first ? Rule(country: Any(small)) : Rule(country: Any(big.Concat(mid).ToArray()), nationality: AnyForm(nationalities[rng.Next(nationalities.Length)], rng));
                }
                if (made.All(r => r.Describe() != rule.Describe())) made.Add(rule);
            }
            rules.AddRange(made);
        }
        return rules;
    }

    private static string Written(string code, Random rng)
    {
        var forms = Forms[code];
        return forms.Length == 1 || rng.NextDouble() < 0.7 ? forms[0] : forms[1 + rng.Next(forms.Length - 1)];
    }

    private static string AnyForm(string code, Random rng) => Forms[code][rng.Next(Forms[code].Length)];

    private static T Pick<T>((T Value, double Share)[] table, Random rng)
    {
        var roll = rng.NextDouble() * table.Sum(t => t.Share);
        foreach (var (value, share) in table)
        {
            if (roll < share) return value;
            roll -= share;
        }
        return table[^1].Value;
    }
}
