using System.Text.Json;

namespace DetaineeAlertBot.Slack.Fake;

/// <summary>The Block Kit limits Slack checks, answered the way Slack answers them.</summary>
internal static class BlockKitRules
{
    // Slack's undocumented cumulative limit was observed near 12k-13.2k (bolt-js#2509); the fake uses 12,000.
    private const int TotalText = 12_000;

    public static FakeResponse? Check(JsonElement blocks)
    {
        var problems = new List<string>();
        var total = CheckBlocks(blocks, 50, "", problems);
        if (problems.Count > 0)
        {
            return Invalid("invalid_blocks", problems);
        }

        return total > TotalText ? FakeResponse.Error("msg_blocks_too_long") : null;
    }

    /// <summary>A modal for views.open (NSDK packages/types/src/views.ts): type modal, title ≤24, submit ≤24 and required
    /// with input blocks, close ≤24, blocks ≤100, private_metadata ≤3000, callback_id ≤255; answered invalid_arguments.</summary>
    public static FakeResponse? CheckModal(JsonElement view)
    {
        var problems = new List<string>();
        if (!view.TryGetProperty("type", out var type) || type.GetString() != "modal")
        {
            problems.Add("[ERROR] must be 'modal' [json-pointer:/view/type]");
        }

        if (!view.TryGetProperty("title", out var title))
        {
            problems.Add("[ERROR] missing required field: title [json-pointer:/view]");
        }
        else
        {
            CheckTextObject(title, 24, "/view/title", problems, plainOnly: true);
        }

        var blocks = view.TryGetProperty("blocks", out var b) && b.ValueKind == JsonValueKind.Array ? b : default;
        var hasInput = blocks.ValueKind == JsonValueKind.Array
            && blocks.EnumerateArray().Any(block => block.TryGetProperty("type", out var t) && t.GetString() == "input");
        if (view.TryGetProperty("submit", out var submit))
        {
            CheckTextObject(submit, 24, "/view/submit", problems, plainOnly: true);
        }
        else if (hasInput)
        {
            problems.Add("[ERROR] must provide a submit property when using input blocks [json-pointer:/view]");
        }

        if (view.TryGetProperty("close", out var close))
        {
            CheckTextObject(close, 24, "/view/close", problems, plainOnly: true);
        }

        CheckLength(view, "private_metadata", 3000, "/view", problems);
        CheckLength(view, "callback_id", 255, "/view", problems);
        if (blocks.ValueKind != JsonValueKind.Array)
        {
            problems.Add("[ERROR] missing required field: blocks [json-pointer:/view]");
        }
        else
        {
            CheckBlocks(blocks, 100, "/view", problems);
        }

        return problems.Count > 0 ? Invalid("invalid_arguments", problems) : null;
    }

    private static FakeResponse Invalid(string error, List<string> problems) =>
        FakeResponse.Error(error, $$"""
            "response_metadata":{"messages":{{JsonSerializer.Serialize(problems)}}}
            """.Trim());

    private static int CheckBlocks(JsonElement blocks, int maxBlocks, string prefix, List<string> problems)
    {
        if (blocks.GetArrayLength() > maxBlocks)
        {
            problems.Add($"[ERROR] no more than {maxBlocks} items allowed [json-pointer:{prefix}/blocks]");
        }

        var total = 0;
        var i = 0;
        var blockIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var block in blocks.EnumerateArray())
        {
            var type = block.TryGetProperty("type", out var t) ? t.GetString() : null;
            var at = $"{prefix}/blocks/{i}";
            if (block.TryGetProperty("block_id", out var blockId))
            {
                CheckLength(block, "block_id", 255, at, problems);
                if (!blockIds.Add(blockId.GetString() ?? ""))
                {
                    problems.Add($"[ERROR] duplicate block_id [json-pointer:{at}/block_id]");
                }
            }

            switch (type)
            {
                case "actions":
                    total += CheckActions(block, at, problems);
                    break;
                case "input":
                    total += CheckInput(block, at, problems);
                    break;
                case "header":
                    total += CheckText(block, "text", 150, $"{at}/text", problems, plainOnly: true);
                    break;
                case "section":
                    if (block.TryGetProperty("text", out _))
                    {
                        total += CheckText(block, "text", 3000, $"{at}/text", problems, plainOnly: false);
                    }

                    if (block.TryGetProperty("fields", out var fields))
                    {
                        if (fields.GetArrayLength() > 10)
                        {
                            problems.Add($"[ERROR] no more than 10 items allowed [json-pointer:{at}/fields]");
                        }

                        var j = 0;
                        foreach (var field in fields.EnumerateArray())
                        {
                            total += CheckTextObject(field, 2000, $"{at}/fields/{j++}", problems, plainOnly: false);
                        }
                    }

                    break;
                case "context":
                    var k = 0;
                    foreach (var element in block.GetProperty("elements").EnumerateArray())
                    {
                        total += CheckTextObject(element, 2000, $"{at}/elements/{k++}", problems, plainOnly: false);
                    }

                    break;
                case "divider":
                    break;
                default:
                    problems.Add($"[ERROR] unsupported type: {type} [json-pointer:{at}/type]");
                    break;
            }

            i++;
        }

        return total;
    }

    // Actions block: at most 25 elements; buttons with plain text ≤75, action_id ≤255, value ≤2000, url ≤3000, style
    // primary/danger (NSDK block-elements.ts Button, blocks.ts ActionsBlock).
    private static int CheckActions(JsonElement block, string at, List<string> problems)
    {
        if (!block.TryGetProperty("elements", out var elements) || elements.ValueKind != JsonValueKind.Array || elements.GetArrayLength() == 0)
        {
            problems.Add($"[ERROR] missing required field: elements [json-pointer:{at}]");
            return 0;
        }

        if (elements.GetArrayLength() > 25)
        {
            problems.Add($"[ERROR] no more than 25 items allowed [json-pointer:{at}/elements]");
        }

        var total = 0;
        var k = 0;
        foreach (var element in elements.EnumerateArray())
        {
            var pointer = $"{at}/elements/{k++}";
            var type = element.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type == "button")
            {
                total += CheckButton(element, pointer, problems);
            }
            else if (type is "static_select" or "datepicker")
            {
                total += CheckElement(element, pointer, problems);
            }
            else
            {
                problems.Add($"[ERROR] unsupported type: {type} [json-pointer:{pointer}/type]");
            }
        }

        return total;
    }

    private static int CheckButton(JsonElement button, string pointer, List<string> problems)
    {
        var total = button.TryGetProperty("text", out var text)
            ? CheckTextObject(text, 75, pointer + "/text", problems, plainOnly: true)
            : Missing("text", pointer, problems);
        CheckActionId(button, pointer, problems);
        CheckLength(button, "value", 2000, pointer, problems);
        CheckLength(button, "url", 3000, pointer, problems);
        if (button.TryGetProperty("style", out var style) && style.GetString() is not ("primary" or "danger"))
        {
            problems.Add($"[ERROR] must be one of primary, danger [json-pointer:{pointer}/style]");
        }

        return total;
    }

    // Input block: a plain label ≤2000, one element, an optional plain hint ≤2000 (NSDK blocks.ts InputBlock).
    private static int CheckInput(JsonElement block, string at, List<string> problems)
    {
        var total = block.TryGetProperty("label", out var label)
            ? CheckTextObject(label, 2000, at + "/label", problems, plainOnly: true)
            : Missing("label", at, problems);
        if (block.TryGetProperty("hint", out var hint))
        {
            total += CheckTextObject(hint, 2000, at + "/hint", problems, plainOnly: true);
        }

        if (!block.TryGetProperty("element", out var element) || element.ValueKind != JsonValueKind.Object)
        {
            return total + Missing("element", at, problems);
        }

        return total + CheckElement(element, at + "/element", problems);
    }

    private static int CheckElement(JsonElement element, string pointer, List<string> problems)
    {
        var type = element.TryGetProperty("type", out var t) ? t.GetString() : null;
        CheckActionId(element, pointer, problems);
        var total = 0;
        if (element.TryGetProperty("placeholder", out var placeholder))
        {
            total += CheckTextObject(placeholder, 150, pointer + "/placeholder", problems, plainOnly: true);
        }

        switch (type)
        {
            case "plain_text_input":
                var max = element.TryGetProperty("max_length", out var m) ? m.GetInt32() : 3000;
                if (max is < 1 or > 3000)
                {
                    problems.Add($"[ERROR] must be between 1 and 3000 [json-pointer:{pointer}/max_length]");
                }

                CheckLength(element, "initial_value", max, pointer, problems);
                break;
            case "static_select":
                if (!element.TryGetProperty("options", out var options) || options.ValueKind != JsonValueKind.Array || options.GetArrayLength() == 0)
                {
                    Missing("options", pointer, problems);
                    break;
                }

                if (options.GetArrayLength() > 100)
                {
                    problems.Add($"[ERROR] no more than 100 items allowed [json-pointer:{pointer}/options]");
                }

                var o = 0;
                foreach (var option in options.EnumerateArray())
                {
                    total += CheckOption(option, $"{pointer}/options/{o++}", problems);
                }

                if (element.TryGetProperty("initial_option", out var initial))
                {
                    CheckOption(initial, pointer + "/initial_option", problems);
                }

                break;
            case "datepicker":
                if (element.TryGetProperty("initial_date", out var date)
                    && !DateOnly.TryParseExact(date.GetString(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _))
                {
                    problems.Add($"[ERROR] must be a valid date in the format YYYY-MM-DD [json-pointer:{pointer}/initial_date]");
                }

                break;
            default:
                problems.Add($"[ERROR] unsupported type: {type} [json-pointer:{pointer}/type]");
                break;
        }

        return total;
    }

    private static int CheckOption(JsonElement option, string pointer, List<string> problems)
    {
        var total = option.TryGetProperty("text", out var text)
            ? CheckTextObject(text, 75, pointer + "/text", problems, plainOnly: true)
            : Missing("text", pointer, problems);
        if (!option.TryGetProperty("value", out _))
        {
            Missing("value", pointer, problems);
        }

        CheckLength(option, "value", 75, pointer, problems);
        return total;
    }

    private static void CheckActionId(JsonElement element, string pointer, List<string> problems)
    {
        if (element.TryGetProperty("action_id", out var id) && id.GetString() is { Length: 0 })
        {
            problems.Add($"[ERROR] must be more than 0 characters [json-pointer:{pointer}/action_id]");
        }

        CheckLength(element, "action_id", 255, pointer, problems);
    }

    private static void CheckLength(JsonElement parent, string property, int max, string pointer, List<string> problems)
    {
        if (parent.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && (value.GetString()?.Length ?? 0) > max)
        {
            problems.Add($"[ERROR] must be less than {max + 1} characters [json-pointer:{pointer}/{property}]");
        }
    }

    private static int Missing(string property, string pointer, List<string> problems)
    {
        problems.Add($"[ERROR] missing required field: {property} [json-pointer:{pointer}]");
        return 0;
    }

    private static int CheckText(JsonElement block, string property, int max, string pointer, List<string> problems, bool plainOnly) =>
        CheckTextObject(block.GetProperty(property), max, pointer, problems, plainOnly);

    private static int CheckTextObject(JsonElement textObject, int max, string pointer, List<string> problems, bool plainOnly)
    {
        var type = textObject.TryGetProperty("type", out var t) ? t.GetString() : null;
        if (type is not ("plain_text" or "mrkdwn") || (plainOnly && type != "plain_text"))
        {
            problems.Add($"[ERROR] must be a valid text object [json-pointer:{pointer}/type]");
            return 0;
        }

        var text = textObject.TryGetProperty("text", out var v) ? v.GetString() ?? "" : "";
        if (text.Length == 0)
        {
            problems.Add($"[ERROR] must be more than 0 characters [json-pointer:{pointer}/text]");
        }
        else if (text.Length > max)
        {
            problems.Add($"[ERROR] must be less than {max + 1} characters [json-pointer:{pointer}/text]");
        }

        return text.Length;
    }
}
