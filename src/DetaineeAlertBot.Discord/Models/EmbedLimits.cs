namespace DetaineeAlertBot.Discord.Models;

/// <summary>
/// Embed and message size limits, inclusive, counted in characters after trimming.
/// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
/// </summary>
public static class EmbedLimits
{
    public const int Title = 256;
    public const int Description = 4096;
    public const int Fields = 25;
    public const int FieldName = 256;
    public const int FieldValue = 1024;
    public const int FooterText = 2048;
    public const int AuthorName = 256;
    /// <summary>Title + description + field names/values + footer text + author name, across all embeds.</summary>
    public const int Total = 6000;
    public const int EmbedsPerMessage = 10;
    /// <summary>Message <c>content</c>, Create Message / Execute Webhook / Edit.</summary>
    public const int Content = 2000;
    /// <summary>URLs in embeds (spec <c>RichEmbed.url.maxLength</c>).</summary>
    public const int Url = 2048;
    /// <summary>Nonce on Create Message.</summary>
    public const int Nonce = 25;

    private const string Ellipsis = "…";

    /// <summary>
    /// Returns an embed that fits every limit, cutting text with an ellipsis rather than failing.
    /// <paramref name="truncated"/> names each part that was cut, so the caller can log it.
    /// </summary>
    public static Embed Fit(Embed embed, out IReadOnlyList<string> truncated)
    {
        var cuts = new List<string>();
        var title = Cut(embed.Title, Title, "title", cuts);
        var description = Cut(embed.Description, Description, "description", cuts);
        var footer = embed.Footer is null ? null : embed.Footer with { Text = Cut(embed.Footer.Text, FooterText, "footer.text", cuts) ?? "" };
        var author = embed.Author is null ? null : embed.Author with { Name = Cut(embed.Author.Name, AuthorName, "author.name", cuts) ?? "" };
        var url = embed.Url is { Length: > Url } ? null : embed.Url;
        if (url is null && embed.Url is not null)
        {
            cuts.Add("url");
        }

        List<EmbedField>? fields = null;
        if (embed.Fields is not null)
        {
            if (embed.Fields.Count > Fields)
            {
                cuts.Add($"fields (kept {Fields} of {embed.Fields.Count})");
            }

            fields = [];
            foreach (var (field, i) in embed.Fields.Take(Fields).Select((f, i) => (f, i)))
            {
                // Name and value are required and must not be blank.
                var name = Cut(Blank(field.Name), FieldName, $"fields[{i}].name", cuts)!;
                var value = Cut(Blank(field.Value), FieldValue, $"fields[{i}].value", cuts)!;
                fields.Add(field with { Name = name, Value = value });
            }
        }

        var fitted = embed with { Title = title, Description = description, Footer = footer, Author = author, Url = url, Fields = fields };

        // Then the 6000 total: shrink the longest parts first (description, then field values from the end).
        var excess = Length(fitted) - Total;
        if (excess > 0)
        {
            cuts.Add($"total (was {Length(fitted)} characters)");
            fitted = ShrinkTotal(fitted, excess);
        }

        truncated = cuts;
        return fitted;
    }

    /// <summary>Characters that count toward <see cref="Total"/>.</summary>
    public static int Length(Embed embed) =>
        Len(embed.Title) + Len(embed.Description) + Len(embed.Footer?.Text) + Len(embed.Author?.Name)
        + (embed.Fields?.Sum(f => Len(f.Name) + Len(f.Value)) ?? 0);

    private static Embed ShrinkTotal(Embed embed, int excess)
    {
        // Give up text in order of least value to a reader: description, field values (last first), footer,
        // author, field names, and the title last. Each keeps at least one character (the description may go).
        string? Shrink(string? text, int min)
        {
            if (excess <= 0 || text is null || Len(text) <= min)
            {
                return text;
            }

            var keep = Math.Max(min, Len(text) - excess);
            excess -= Len(text) - keep;
            return keep == 0 ? null : Truncate(text.Trim(), keep);
        }

        embed = embed with { Description = Shrink(embed.Description, 0) };
        var fields = embed.Fields?.ToList() ?? [];
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            fields[i] = fields[i] with { Value = Shrink(fields[i].Value, 1)! };
        }

        embed = embed with
        {
            Footer = embed.Footer is null ? null : embed.Footer with { Text = Shrink(embed.Footer.Text, 1)! },
            Author = embed.Author is null ? null : embed.Author with { Name = Shrink(embed.Author.Name, 1)! },
        };
        for (var i = fields.Count - 1; i >= 0; i--)
        {
            fields[i] = fields[i] with { Name = Shrink(fields[i].Name, 1)! };
        }

        return embed with { Title = Shrink(embed.Title, 1), Fields = embed.Fields is null ? null : fields };
    }

    private static string? Cut(string? text, int max, string part, List<string> cuts)
    {
        if (text is null || Len(text) <= max)
        {
            return text;
        }

        cuts.Add(part);
        return Truncate(text.Trim(), max);
    }

    /// <summary>Cuts to at most <paramref name="max"/> UTF-16 units including the ellipsis, never splitting a surrogate pair.</summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        if (max <= Ellipsis.Length)
        {
            return Ellipsis[..max];
        }

        var cut = max - Ellipsis.Length;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut).TrimEnd(), Ellipsis);
    }

    private static string Blank(string? text) => string.IsNullOrWhiteSpace(text) ? "-" : text;

    // Leading/trailing whitespace is trimmed before counting; UTF-16 units over-count, which is the safe side.
    private static int Len(string? text) => text?.Trim().Length ?? 0;
}
