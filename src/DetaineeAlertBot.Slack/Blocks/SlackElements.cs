using System.Globalization;

namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>A button as the host describes it: raw label text (escaped and cut to <see cref="SlackLimits.ButtonText"/>
/// by the builder), an <c>action_id</c>, an optional <c>value</c> handed back in block_actions, an optional link
/// (a link button) and a style (<see cref="ButtonElement.Primary"/> / <see cref="ButtonElement.Danger"/>).</summary>
public sealed record SlackButton(string Text, string ActionId, string? Value = null, string? Url = null, string? Style = null);

/// <summary>A select option as the host describes it: raw text (cut to <see cref="SlackLimits.OptionText"/>) and a value
/// (at most <see cref="SlackLimits.OptionValue"/>, never cut).</summary>
public sealed record SlackOption(string Text, string Value);

/// <summary>The checks shared by the message and modal builders. Ids, values and URLs that break a limit throw
/// <see cref="ArgumentException"/> (cut, they would name something else); display texts are cut with an ellipsis
/// and the cut is reported.</summary>
internal static class SlackElements
{
    public static string Id(string? id, int max, string what)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ArgumentException($"A Slack {what} must not be empty.", what);
        }

        if (id.Length > max)
        {
            throw new ArgumentException($"A Slack {what} is at most {max} characters; got {id.Length}: \"{Shorten(id)}\".", what);
        }

        return id;
    }

    public static string? OptionalId(string? id, int max, string what) => id is null ? null : Id(id, max, what);

    public static string? Value(string? value, int max, string what)
    {
        if (value is not null && value.Length > max)
        {
            throw new ArgumentException($"A Slack {what} is at most {max} characters; got {value.Length}.", what);
        }

        return value;
    }

    public static string? Url(string? url, int max)
    {
        if (url is null)
        {
            return null;
        }

        if (url.Length > max)
        {
            throw new ArgumentException($"A Slack button url is at most {max} characters; got {url.Length}.", nameof(url));
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("A Slack button url must be an absolute http(s) URL.", nameof(url));
        }

        return url;
    }

    public static string? Style(string? style) => style switch
    {
        null or ButtonElement.Primary or ButtonElement.Danger => style,
        _ => throw new ArgumentException($"A Slack button style is \"primary\" or \"danger\" (or none); got \"{style}\".", nameof(style)),
    };

    /// <summary>Escapes raw text into a plain_text object cut to <paramref name="max"/>; null for blank text.</summary>
    public static TextObject? Plain(string? raw, int max, string what, List<string> truncations)
    {
        var text = SlackText.Escape(raw);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > max)
        {
            truncations.Add($"{what} cut from {text.Length} to {max} characters");
            text = SlackText.Truncate(text, max);
        }

        return TextObject.Plain(text);
    }

    public static TextObject RequiredPlain(string? raw, int max, string what, List<string> truncations) =>
        Plain(raw, max, what, truncations) ?? throw new ArgumentException($"A Slack {what} must not be empty.", what);

    public static ButtonElement Button(SlackButton button, Func<string, int, string, TextObject> text) =>
        new(text(button.Text, SlackLimits.ButtonText, "button text"), Id(button.ActionId, SlackLimits.ActionId, "action_id"))
        {
            Value = Value(button.Value, SlackLimits.ButtonValue, "button value"),
            Url = Url(button.Url, SlackLimits.ButtonUrl),
            Style = Style(button.Style),
        };

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
