using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Bench;

/// <summary>SyntheticCases generates realistic, fictional case names from per-culture name-part lists with a seeded
/// random generator, for latency measurements at scale. Names repeat parts the way real data does (many people are
/// called Mohammed or Olga), and a share of cases carries a transliterated alias.</summary>
public static class SyntheticCases
{
    private sealed record Culture(string Source, string[] Given, string[] Family, double MiddleShare);

    private static readonly Culture[] Cultures =
    [
        new("syn-arab",
            ["Mohammed", "Ahmed", "Ali", "Omar", "Khaled", "Youssef", "Ibrahim", "Hassan", "Hussein", "Mahmoud", "Mustafa", "Tariq", "Samir", "Karim", "Nabil", "Walid", "Fatima", "Aisha", "Layla", "Mariam", "Nour", "Salma", "Huda", "Rania", "Zainab", "Amina", "Abd al-Rahman", "Abdullah", "Abdelaziz", "Yasser", "Said", "Bilal", "Hamza", "Rashid", "Jamal", "Faisal", "Sami", "Nadia", "Hanan", "Dalia"],
            ["al-Masri", "Haddad", "Khalil", "Nasser", "Mansour", "Darwish", "Sarhan", "Qasim", "Saleh", "Hamdan", "al-Harbi", "Abdelaziz", "Benali", "Farouk", "Yassin", "Shami", "Hijazi", "Barakat", "Awad", "Suleiman", "Zaki", "Khoury", "Ayoub", "Jaber", "Najjar", "Sabbagh", "Tamimi", "Qureshi", "Othman", "Bakr", "el-Sayed", "Ghanem", "Hassan", "Ibrahim", "Mahfouz", "Rahal", "Sharif", "Taha", "Wahbi", "Zayed"],
            0.3),
        new("syn-iran",
            ["Hossein", "Reza", "Ali", "Mehdi", "Amir", "Parviz", "Dariush", "Kourosh", "Babak", "Farhad", "Saeed", "Hamid", "Majid", "Nasrin", "Shirin", "Maryam", "Narges", "Fatemeh", "Zahra", "Leila", "Golnar", "Mahsa", "Sepideh", "Parisa", "Azadeh", "Arash", "Behnam", "Kaveh", "Omid", "Roya"],
            ["Rezaei", "Hosseini", "Mohammadi", "Ahmadi", "Karimi", "Jafari", "Sadeghi", "Ghorbani", "Kazemi", "Moradi", "Rahimi", "Amiri", "Amini", "Tehrani", "Shirazi", "Esfahani", "Bagheri", "Hashemi", "Mousavi", "Zamani", "Najafi", "Sharifi", "Abbasi", "Yazdani", "Farahani", "Nouri", "Safavi", "Taheri", "Shahbazi", "Vaziri"],
            0.05),
        new("syn-af",
            ["Gul Ahmad", "Abdul Wahid", "Zarmina", "Nazanin", "Ahmad Shah", "Mirwais", "Habibullah", "Sayed", "Farida", "Malalai", "Rahmatullah", "Najib", "Hamidullah", "Shabnam", "Wahida", "Zalmai", "Qadir", "Fawad", "Obaidullah", "Shukria"],
            ["Zadran", "Popalzai", "Stanekzai", "Wardak", "Noorzai", "Barakzai", "Achakzai", "Mohmand", "Safi", "Yousafzai", "Durrani", "Ghilzai", "Kakar", "Hotak", "Sadat", "Rahimi", "Amiry", "Naderi", "Ludin", "Andar"],
            0.1),
        new("syn-ru",
            ["Sergei", "Yevgeny", "Dmitry", "Alexei", "Mikhail", "Andrei", "Vladimir", "Nikolai", "Ivan", "Pavel", "Igor", "Oleg", "Yuri", "Boris", "Viktor", "Olga", "Tatiana", "Yelena", "Natalia", "Irina", "Svetlana", "Anna", "Maria", "Yekaterina", "Ksenia", "Anastasia", "Lyudmila", "Galina", "Vera", "Daria"],
            ["Belyakov", "Smirnov", "Orlov", "Kuznetsov", "Ivanov", "Petrov", "Sokolov", "Popov", "Volkov", "Vasilyev", "Zaitsev", "Pavlov", "Semyonov", "Golubev", "Vinogradov", "Bogdanov", "Vorobyov", "Fyodorov", "Morozov", "Nikitin", "Zhukovsky", "Shcherbakov", "Belov", "Lebedev", "Kozlov", "Novikov", "Solovyov", "Yegorov", "Makarov", "Gusev"],
            0.0),
        new("syn-ua",
            ["Oleksandr", "Andriy", "Yevhen", "Mykola", "Taras", "Bohdan", "Vasyl", "Serhiy", "Dmytro", "Yaroslav", "Iryna", "Oksana", "Yevheniia", "Olena", "Nataliia", "Halyna", "Kateryna", "Mariia", "Sofiia", "Yuliia"],
            ["Kovalenko", "Tkachuk", "Shevchuk", "Bondarenko", "Melnyk", "Shevchenko", "Boyko", "Kravchenko", "Oliynyk", "Lysenko", "Rudenko", "Savchenko", "Petrenko", "Marchenko", "Moroz", "Kovalchuk", "Polishchuk", "Hnatyuk", "Tkachenko", "Ponomarenko"],
            0.0),
        new("syn-cn",
            ["Xiaoming", "Zhiwei", "Jianguo", "Wei", "Mei", "Yang", "Jing", "Hua", "Lei", "Min", "Qiang", "Fang", "Yan", "Hong", "Jun", "Ling", "Tao", "Bo", "Xin", "Yu", "Haoran", "Zihan", "Yuxuan", "Xiuying", "Guiying"],
            ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Luo", "Qiao", "Gao", "Zheng", "Xie", "Song", "Tang"],
            0.0),
        new("syn-uy",
            ["Abdurehim", "Gulnar", "Ilham", "Tursunay", "Mehmet", "Abdukerim", "Rahile", "Nurmemet", "Patigul", "Erkin", "Memetjan", "Zulhumar", "Ablikim", "Gulmira", "Ekber"],
            ["Tursun", "Abdukerim", "Ablet", "Niyaz", "Kurban", "Hoshur", "Tohti", "Yusup", "Memet", "Obul", "Sidiq", "Rozi", "Qadir", "Imin", "Osman"],
            0.0),
        new("syn-il",
            ["Miriam", "Yosef", "Avraham", "David", "Moshe", "Yitzhak", "Sarah", "Rivka", "Noa", "Eitan", "Tamar", "Yael", "Shira", "Ariel", "Yonatan"],
            ["Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Dahan", "Friedman", "Azoulay", "Malka", "Katz", "Ben David", "Shapiro", "Avraham", "Ohana", "Segal"],
            0.0),
        new("syn-tr",
            ["Ayşe", "Mehmet", "Mustafa", "Fatma", "Emine", "Ahmet", "Hüseyin", "Zeynep", "Elif", "Murat", "Emre", "Özlem", "Gülşen", "Hakan", "Selin"],
            ["Yılmaz", "Öztürk", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kurt", "Koç"],
            0.0),
        new("syn-la",
            ["José", "María", "Ana", "Luis", "Carlos", "Juan", "Lucía", "Pedro", "Sofía", "Andrés", "Camila", "Diego", "Valentina", "Jorge", "Gabriela"],
            ["Núñez", "Gómez", "González", "Rodríguez", "Pérez", "Martínez", "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Díaz", "Morales", "Ortiz", "Castillo"],
            0.3),
        new("syn-eu",
            ["Jürgen", "François", "Łukasz", "Zoë", "Søren", "Ólafur", "Matthias", "Hélène", "Agnieszka", "Tomáš", "Georgios", "Eleni", "Dawit", "Aung", "Davit"],
            ["Weissmüller", "Lefèvre", "Wróblewski", "Østergaard", "Müller", "Schäfer", "Dvořák", "Papadopoulos", "Karagianni", "Tesfaye", "Naing", "Beridze", "Kowalski", "Nowak", "Novák"],
            0.1),
        new("syn-vn",
            ["Văn", "Thị", "Minh", "Thành", "Hương", "Lan", "Tuấn", "Dũng", "Hải", "Phương"],
            ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ"],
            0.6),
    ];

    // Spelling variants used for aliases: the same person written by another feed.
    private static readonly (string From, string To)[] AliasRules =
    [
        ("Mohammed", "Muhammad"), ("Hussein", "Husayn"), ("Youssef", "Yusuf"), ("Khaled", "Khalid"), ("Yevgeny", "Evgeny"),
        ("ov", "off"), ("ei", "ey"), ("ou", "u"), ("ü", "ue"), ("ph", "f"), ("Abd al-", "Abdul "), ("ie", "y"), ("Qasim", "Kassem"),
        ("sh", "ch"), ("y", "i"), ("ee", "i"), ("al-", "el-"), ("Oleksandr", "Aleksandr"), ("Hossein", "Husein"), ("ii", "iy"),
    ];

    public static List<CaseRecord> Generate(int count, int seed = 20261126)
    {
        var rng = new Random(seed);
        var cases = new List<CaseRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var culture = Cultures[rng.Next(Cultures.Length)];
            var name = NameFor(culture, rng);
            var aliases = new List<string>();
            if (rng.NextDouble() < 0.35)
            {
                var alias = Variant(name, rng);
                if (alias != name) aliases.Add(alias);
            }
            if (rng.NextDouble() < 0.05) aliases.Add(NameFor(culture, rng));
            cases.Add(new CaseRecord
            {
                Source = culture.Source,
                Id = $"{culture.Source[4..]}-{i:D6}",
                Name = name,
                Aliases = aliases,
                Status = CaseStatus.Detained,
            });
        }
        return cases;
    }

    private static string NameFor(Culture c, Random rng)
    {
        var given = c.Given[rng.Next(c.Given.Length)];
        var family = c.Family[rng.Next(c.Family.Length)];
        if (rng.NextDouble() < c.MiddleShare)
        {
            var middle = c.Given[rng.Next(c.Given.Length)];
            if (middle != given) given += " " + middle;
        }
        // Chinese and Vietnamese names are written family name first.
        return c.Source is "syn-cn" or "syn-vn" ? $"{family} {given}" : $"{given} {family}";
    }

    /// <summary>Applies one applicable spelling-variant rule.</summary>
    public static string Variant(string name, Random rng)
    {
        var start = rng.Next(AliasRules.Length);
        for (var k = 0; k < AliasRules.Length; k++)
        {
            var (from, to) = AliasRules[(start + k) % AliasRules.Length];
            var at = name.IndexOf(from, StringComparison.Ordinal);
            if (at >= 0) return name[..at] + to + name[(at + from.Length)..];
        }
        return name;
    }

    /// <summary>One typing slip in a random name part: a swapped pair, a dropped, doubled or wrong letter.</summary>
    public static string Typo(string name, Random rng)
    {
        var parts = name.Split(' ');
        var p = rng.Next(parts.Length);
        var w = parts[p];
        if (w.Length < 4) return name;
        var i = rng.Next(1, w.Length - 1);
        w = rng.Next(4) switch
        {
            0 => w[..i] + w[i + 1] + w[i] + w[(i + 2)..],
            1 => w.Remove(i, 1),
            2 => w.Insert(i, w[i].ToString()),
            _ => w[..i] + "aeiourntsl"[rng.Next(10)] + w[(i + 1)..],
        };
        parts[p] = w;
        return string.Join(' ', parts);
    }
}
