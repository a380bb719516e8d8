namespace DetaineeAlertBot.Slack.Blocks;

/// <summary>Block Kit limits, checked with <see cref="string.Length"/> (UTF-16 units never undercount code points).</summary>
public static class SlackLimits
{
    // https://docs.slack.dev/reference/block-kit/blocks - "up to 50 blocks in each message".
    public const int BlocksPerMessage = 50;

    // https://docs.slack.dev/reference/block-kit/blocks/header-block - plain_text, max 150 characters.
    public const int HeaderText = 150;

    // https://docs.slack.dev/reference/block-kit/blocks/section-block - text max 3000 characters.
    public const int SectionText = 3000;

    // Same page: fields max 10 items, each text max 2000 characters.
    public const int SectionFields = 10;
    public const int FieldText = 2000;

    // https://docs.slack.dev/reference/block-kit/blocks/context-block - max 10 elements.
    public const int ContextElements = 10;

    // Undocumented cumulative limit: msg_blocks_too_long near 12,000-13,200 characters of block text
    // (bolt-js#2509, #2867). We stay well under it.
    public const int TotalBlockText = 11_000;

    // chat.postMessage: "For best results, limit the number of characters in the text field to 4,000".
    public const int FallbackText = 3_000;

    // Interactivity limits (NSDK packages/types/src/block-kit: extensions.ts, blocks.ts, block-elements.ts,
    // composition-objects.ts; packages/types/src/views.ts). Ids and values are never cut (an id that is cut names
    // something else): a builder throws ArgumentException for them. Display texts are cut with an ellipsis.
    public const int ActionId = 255;
    public const int BlockId = 255;
    public const int ActionsElements = 25;
    public const int ButtonText = 75;
    public const int ButtonValue = 2000;
    public const int ButtonUrl = 3000;
    public const int SelectOptions = 100;
    public const int OptionText = 75;
    public const int OptionValue = 75;
    public const int Placeholder = 150;
    public const int InputLabel = 2000;
    public const int InputHint = 2000;
    public const int PlainTextInputLength = 3000;

    // Modal views.
    public const int ModalTitle = 24;
    public const int ModalButton = 24;
    public const int ModalBlocks = 100;
    public const int CallbackId = 255;
    public const int PrivateMetadata = 3000;
}
