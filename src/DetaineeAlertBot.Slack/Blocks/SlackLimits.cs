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
}
