using System.Text;

namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>Escaping and truncation for text we send to Slack.</summary>
public static class SlackText
{
    /// <summary>The ellipsis appended to anything we cut.</summary>
    public const string Ellipsis = "…";

    /// <summary>
    /// Escapes Slack's three control characters, ampersand first
    /// (https://docs.slack.dev/messaging/formatting-message-text#escaping). Only these three are decoded
    /// by Slack, so nothing else is touched. With &lt; and &gt; escaped, a name like <c>&lt;!channel&gt;</c>
    /// cannot become a mention.
    /// </summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>
    /// A mrkdwn link <c>&lt;url|label&gt;</c> for an absolute http(s) URL, or the escaped label alone when the
    /// URL is missing or not http(s): we never link anything we cannot vouch for.
    /// </summary>
    public static string Link(string? url, string label)
    {
        var escapedLabel = Escape(label).Replace("|", "¦", StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(url)
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return escapedLabel;
        }

        var target = Escape(uri.AbsoluteUri).Replace("|", "%7C", StringComparison.Ordinal);
        return $"<{target}|{escapedLabel}>";
    }

    /// <summary>
    /// Cuts already-escaped text to at most <paramref name="maxLength"/> characters, ending with an
    /// ellipsis. Never splits a surrogate pair, an entity such as <c>&amp;amp;</c>, or a <c>&lt;…&gt;</c> link.
    /// </summary>
    public static string Truncate(string text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (text.Length <= maxLength)
        {
            return text;
        }

        var cut = maxLength - Ellipsis.Length;
        if (cut > 0 && char.IsLowSurrogate(text[cut]) && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        var head = text.AsSpan(0, Math.Max(cut, 0));

        // An entity is at most 5 characters (&amp;): an '&' in the last 4 with no ';' after it was split.
        var amp = head.LastIndexOf('&');
        if (amp >= 0 && amp >= head.Length - 4 && head[amp..].IndexOf(';') < 0)
        {
            head = head[..amp];
        }

        // A '<' with no closing '>' after it is a link or mention we would break.
        var open = head.LastIndexOf('<');
        if (open >= 0 && head[open..].IndexOf('>') < 0)
        {
            head = head[..open];
        }

        return string.Concat(head, Ellipsis);
    }
}
