namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>A message ready for chat.postMessage: fallback text, blocks, and what had to be cut.</summary>
public sealed record SlackMessage(string Text, IReadOnlyList<SlackBlock> Blocks, IReadOnlyList<string> Truncations);

/// <summary>
/// Builds Block Kit messages that Slack cannot reject for size: every limit in <see cref="SlackLimits"/>
/// is enforced by truncating (with an ellipsis) or dropping, and each cut is reported in
/// <see cref="SlackMessage.Truncations"/> so the caller can log it.
/// </summary>
/// <remarks>
/// Methods named <c>plainText</c> take raw text and escape it. Methods named <c>mrkdwn</c> take text
/// that is already Slack markup: escape untrusted parts with <see cref="SlackText.Escape"/> first.
/// All mrkdwn objects are sent with <c>verbatim: true</c>.
/// </remarks>
public sealed class SlackMessageBuilder
{
    private readonly List<SlackBlock> _blocks = [];
    private readonly List<string> _truncations = [];
    private int _budget = SlackLimits.TotalBlockText;

    public SlackMessageBuilder Header(string plainText)
    {
        var text = Fit(SlackText.Escape(plainText), SlackLimits.HeaderText, "header");
        if (text is not null)
        {
            Add(new HeaderBlock(TextObject.Plain(text)), "header");
        }

        return this;
    }

    public SlackMessageBuilder Section(string mrkdwn)
    {
        var text = Fit(mrkdwn, SlackLimits.SectionText, "section");
        if (text is not null)
        {
            Add(new SectionBlock { Text = TextObject.Mrkdwn(text) }, "section");
        }

        return this;
    }

    /// <summary>A section of two-column fields; empty entries are skipped, more than ten are dropped.</summary>
    public SlackMessageBuilder Fields(IEnumerable<string> mrkdwnFields)
    {
        var fields = new List<TextObject>();
        foreach (var field in mrkdwnFields)
        {
            if (string.IsNullOrWhiteSpace(field))
            {
                continue;
            }

            if (fields.Count == SlackLimits.SectionFields)
            {
                _truncations.Add($"field dropped: more than {SlackLimits.SectionFields} fields in one section");
                continue;
            }

            var text = Fit(field, SlackLimits.FieldText, "field");
            if (text is not null)
            {
                fields.Add(TextObject.Mrkdwn(text));
            }
        }

        if (fields.Count > 0)
        {
            Add(new SectionBlock { Fields = fields }, "fields section");
        }

        return this;
    }

    public SlackMessageBuilder Context(IEnumerable<string> mrkdwnElements)
    {
        var elements = new List<TextObject>();
        foreach (var element in mrkdwnElements)
        {
            if (string.IsNullOrWhiteSpace(element))
            {
                continue;
            }

            if (elements.Count == SlackLimits.ContextElements)
            {
                _truncations.Add($"context element dropped: more than {SlackLimits.ContextElements}");
                continue;
            }

            var text = Fit(element, SlackLimits.FieldText, "context element");
            if (text is not null)
            {
                elements.Add(TextObject.Mrkdwn(text));
            }
        }

        if (elements.Count > 0)
        {
            Add(new ContextBlock(elements), "context");
        }

        return this;
    }

    /// <summary>
    /// An actions block of buttons. Labels are raw text, escaped and cut to <see cref="SlackLimits.ButtonText"/>; more than
    /// <see cref="SlackLimits.ActionsElements"/> buttons are dropped (reported). Throws <see cref="ArgumentException"/> for an
    /// empty label, an empty or too long <c>action_id</c> / <paramref name="blockId"/>, a value over
    /// <see cref="SlackLimits.ButtonValue"/>, a url that is not http(s) or over <see cref="SlackLimits.ButtonUrl"/>, or an
    /// unknown style: those would be wrong if cut.
    /// </summary>
    public SlackMessageBuilder Actions(IEnumerable<SlackButton> buttons, string? blockId = null)
    {
        var id = SlackElements.OptionalId(blockId, SlackLimits.BlockId, "block_id");
        var elements = new List<BlockElement>();
        foreach (var button in buttons)
        {
            if (elements.Count == SlackLimits.ActionsElements)
            {
                _truncations.Add($"button dropped: more than {SlackLimits.ActionsElements} elements in one actions block");
                continue;
            }

            elements.Add(SlackElements.Button(button, ButtonText));
        }

        if (elements.Count > 0)
        {
            Add(new ActionsBlock(elements) { BlockId = id }, "actions");
        }

        return this;
    }

    public SlackMessageBuilder Divider()
    {
        Add(new DividerBlock(), "divider");
        return this;
    }

    /// <summary>Finishes the message; the fallback is plain text, escaped and cut to <see cref="SlackLimits.FallbackText"/>.</summary>
    public SlackMessage Build(string plainFallback)
    {
        var fallback = SlackText.Escape(plainFallback);
        if (fallback.Length > SlackLimits.FallbackText)
        {
            _truncations.Add($"fallback text cut from {fallback.Length} to {SlackLimits.FallbackText} characters");
            fallback = SlackText.Truncate(fallback, SlackLimits.FallbackText);
        }

        if (fallback.Length == 0)
        {
            fallback = "(no text)";
        }

        return new SlackMessage(fallback, _blocks.ToArray(), _truncations.ToArray());
    }

    private TextObject ButtonText(string raw, int limit, string what)
    {
        var escaped = SlackText.Escape(raw);
        if (string.IsNullOrWhiteSpace(escaped))
        {
            throw new ArgumentException("A Slack button needs a label.", nameof(raw));
        }

        // Counted against the message budget like any text, but never dropped: a button without a label is invalid.
        if (escaped.Length > limit)
        {
            _truncations.Add($"{what} cut from {escaped.Length} to {limit} characters");
            escaped = SlackText.Truncate(escaped, limit);
        }

        _budget -= escaped.Length;
        return TextObject.Plain(escaped);
    }

    private void Add(SlackBlock block, string what)
    {
        if (_blocks.Count >= SlackLimits.BlocksPerMessage)
        {
            _truncations.Add($"{what} dropped: message already has {SlackLimits.BlocksPerMessage} blocks");
            return;
        }

        _blocks.Add(block);
    }

    // Cuts one text object to its own limit and to what is left of the message budget.
    // Returns null when nothing sensible is left (Slack rejects empty text objects).
    private string? Fit(string text, int limit, string what)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (_blocks.Count >= SlackLimits.BlocksPerMessage)
        {
            _truncations.Add($"{what} dropped: message already has {SlackLimits.BlocksPerMessage} blocks");
            return null;
        }

        var allowed = Math.Min(limit, _budget);
        if (allowed < 2)
        {
            _truncations.Add($"{what} dropped: message text budget of {SlackLimits.TotalBlockText} characters used up");
            return null;
        }

        if (text.Length > allowed)
        {
            _truncations.Add($"{what} cut from {text.Length} to {allowed} characters");
            text = SlackText.Truncate(text, allowed);
        }

        _budget -= text.Length;
        return text;
    }
}
