using System.Text;

namespace DetaineeAlertBot.Adapters.Discord;

/// <summary>Makes feed text inert in Discord markdown: every markdown and mention character is backslash-escaped,
/// so a case named <c>**@everyone**</c> or <c>[x](http://evil)</c> shows as typed and links nowhere.</summary>
public static class DiscordMarkdown
{
    private const string Special = "\\*_~`|>#-[]()<@!.";

    public static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // ':' only where it would start an autolink ("https://").
            if (Special.Contains(c, StringComparison.Ordinal) || (c == ':' && text.AsSpan(i + 1).StartsWith("//")))
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>A markdown link we make ourselves, only to an absolute http(s) URL; null otherwise.</summary>
    public static string? Link(string label, string? url)
    {
        if (SafeUrl(url) is not { } safe)
        {
            return null;
        }

        return $"[{Escape(label)}]({safe})";
    }

    /// <summary>The URL when it is absolute http(s) and short enough for an embed; parentheses and spaces encoded.</summary>
    public static string? SafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return null;
        }

        var text = uri.AbsoluteUri.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal);
        return text.Length <= 2048 ? text : null;
    }
}
