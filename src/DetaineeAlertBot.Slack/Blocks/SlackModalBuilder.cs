namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>A modal ready for views.open, and what had to be cut or dropped to fit Slack's limits.</summary>
public sealed record SlackModal(SlackView View, IReadOnlyList<string> Truncations);

/// <summary>
/// Builds a modal view Slack cannot reject for size (https://docs.slack.dev/reference/views/modal-views). Display texts
/// (title, submit, close, labels, hints, placeholders, option texts, initial values) are raw text, cut with an
/// ellipsis and reported in <see cref="SlackModal.Truncations"/>; blocks past <see cref="SlackLimits.ModalBlocks"/> and
/// options past <see cref="SlackLimits.SelectOptions"/> are dropped and reported. Ids and values that break a limit
/// (callback_id, block_id, action_id, option values, private_metadata) throw <see cref="ArgumentException"/>, as
/// does a repeated block_id; <see cref="Build"/> throws <see cref="InvalidOperationException"/> for input blocks
/// without a submit button (Slack requires one).
/// </summary>
public sealed class SlackModalBuilder
{
    private readonly List<SlackBlock> _blocks = [];
    private readonly List<string> _truncations = [];
    private readonly HashSet<string> _blockIds = new(StringComparer.Ordinal);
    private readonly string _callbackId;
    private readonly TextObject _title;
    private TextObject? _submit;
    private TextObject? _close;
    private string? _privateMetadata;

    public SlackModalBuilder(string callbackId, string title)
    {
        _callbackId = SlackElements.Id(callbackId, SlackLimits.CallbackId, "callback_id");
        _title = SlackElements.RequiredPlain(title, SlackLimits.ModalTitle, "modal title", _truncations);
    }

    public SlackModalBuilder Submit(string text)
    {
        _submit = SlackElements.RequiredPlain(text, SlackLimits.ModalButton, "submit text", _truncations);
        return this;
    }

    public SlackModalBuilder Close(string text)
    {
        _close = SlackElements.RequiredPlain(text, SlackLimits.ModalButton, "close text", _truncations);
        return this;
    }

    /// <summary>Handed back verbatim on submit; at most <see cref="SlackLimits.PrivateMetadata"/> characters, never cut.</summary>
    public SlackModalBuilder PrivateMetadata(string metadata)
    {
        _privateMetadata = SlackElements.Value(metadata, SlackLimits.PrivateMetadata, "private_metadata");
        return this;
    }

    /// <summary>A read-only paragraph of Slack markup (escape untrusted parts with <see cref="SlackText.Escape"/>).</summary>
    public SlackModalBuilder Section(string mrkdwn)
    {
        if (string.IsNullOrWhiteSpace(mrkdwn))
        {
            return this;
        }

        var text = mrkdwn;
        if (text.Length > SlackLimits.SectionText)
        {
            _truncations.Add($"section cut from {text.Length} to {SlackLimits.SectionText} characters");
            text = SlackText.Truncate(text, SlackLimits.SectionText);
        }

        Add(new SectionBlock { Text = TextObject.Mrkdwn(text) }, "section");
        return this;
    }

    /// <summary>A plain_text_input field; <paramref name="maxLength"/> at most <see cref="SlackLimits.PlainTextInputLength"/>.</summary>
    public SlackModalBuilder TextInput(string blockId, string label, string actionId, bool multiline = false, string? initialValue = null,
        int? maxLength = null, string? placeholder = null, bool optional = false, string? hint = null)
    {
        if (maxLength is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, 1, nameof(maxLength));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(max, SlackLimits.PlainTextInputLength, nameof(maxLength));
        }

        var limit = maxLength ?? SlackLimits.PlainTextInputLength;
        if (initialValue is { Length: > 0 } && initialValue.Length > limit)
        {
            _truncations.Add($"initial value of {blockId} cut from {initialValue.Length} to {limit} characters");
            initialValue = SlackText.Truncate(initialValue, limit);
        }

        var element = new PlainTextInputElement(SlackElements.Id(actionId, SlackLimits.ActionId, "action_id"))
        {
            Multiline = multiline ? true : null,
            InitialValue = string.IsNullOrEmpty(initialValue) ? null : initialValue,
            MaxLength = maxLength,
            Placeholder = SlackElements.Plain(placeholder, SlackLimits.Placeholder, "placeholder", _truncations),
        };
        return Input(blockId, label, element, optional, hint);
    }

    /// <summary>A static_select field. An <paramref name="initialValue"/> that names no option is left out (reported).</summary>
    public SlackModalBuilder Select(string blockId, string label, string actionId, IEnumerable<SlackOption> options, string? initialValue = null,
        string? placeholder = null, bool optional = false, string? hint = null)
    {
        var list = new List<SelectOption>();
        foreach (var option in options)
        {
            if (list.Count == SlackLimits.SelectOptions)
            {
                _truncations.Add($"option dropped: more than {SlackLimits.SelectOptions} options in {blockId}");
                continue;
            }

            list.Add(new SelectOption(
                SlackElements.RequiredPlain(option.Text, SlackLimits.OptionText, "option text", _truncations),
                SlackElements.Id(option.Value, SlackLimits.OptionValue, "option value")));
        }

        if (list.Count == 0)
        {
            throw new ArgumentException("A Slack static_select needs at least one option.", nameof(options));
        }

        SelectOption? initial = null;
        if (initialValue is not null)
        {
            initial = list.FirstOrDefault(o => o.Value == initialValue);
            if (initial is null)
            {
                _truncations.Add($"initial option of {blockId} left out: no option has the value \"{initialValue}\"");
            }
        }

        var element = new StaticSelectElement(SlackElements.Id(actionId, SlackLimits.ActionId, "action_id"), list)
        {
            InitialOption = initial,
            Placeholder = SlackElements.Plain(placeholder, SlackLimits.Placeholder, "placeholder", _truncations),
        };
        return Input(blockId, label, element, optional, hint);
    }

    /// <summary>A datepicker field; Slack hands the date back as <c>YYYY-MM-DD</c>.</summary>
    public SlackModalBuilder DatePicker(string blockId, string label, string actionId, DateOnly? initialDate = null,
        string? placeholder = null, bool optional = false, string? hint = null)
    {
        var element = new DatePickerElement(SlackElements.Id(actionId, SlackLimits.ActionId, "action_id"))
        {
            InitialDate = initialDate is { } date ? SlackElements.Date(date) : null,
            Placeholder = SlackElements.Plain(placeholder, SlackLimits.Placeholder, "placeholder", _truncations),
        };
        return Input(blockId, label, element, optional, hint);
    }

    public SlackModal Build()
    {
        if (_submit is null && _blocks.Any(b => b is InputBlock))
        {
            throw new InvalidOperationException("A Slack modal with input blocks needs a submit button: call Submit(...).");
        }

        var view = new SlackView(_title, _blocks.ToArray())
        {
            CallbackId = _callbackId,
            Submit = _submit,
            Close = _close,
            PrivateMetadata = _privateMetadata,
        };
        return new SlackModal(view, _truncations.ToArray());
    }

    private SlackModalBuilder Input(string blockId, string label, BlockElement element, bool optional, string? hint)
    {
        SlackElements.Id(blockId, SlackLimits.BlockId, "block_id");
        if (!_blockIds.Add(blockId))
        {
            throw new ArgumentException($"The block_id \"{blockId}\" is already used in this modal.", nameof(blockId));
        }

        Add(new InputBlock(SlackElements.RequiredPlain(label, SlackLimits.InputLabel, "label", _truncations), element)
        {
            BlockId = blockId,
            Optional = optional ? true : null,
            Hint = SlackElements.Plain(hint, SlackLimits.InputHint, "hint", _truncations),
        }, "input " + blockId);
        return this;
    }

    private void Add(SlackBlock block, string what)
    {
        if (_blocks.Count >= SlackLimits.ModalBlocks)
        {
            _truncations.Add($"{what} dropped: the modal already has {SlackLimits.ModalBlocks} blocks");
            return;
        }

        _blocks.Add(block);
    }
}
