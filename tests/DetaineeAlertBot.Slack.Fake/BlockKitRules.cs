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
        if (blocks.GetArrayLength() > 50)
        {
            problems.Add("[ERROR] no more than 50 items allowed [json-pointer:/blocks]");
        }

        var total = 0;
        var i = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var type = block.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (type)
            {
                case "header":
                    total += CheckText(block, "text", 150, $"/blocks/{i}/text", problems, plainOnly: true);
                    break;
                case "section":
                    if (block.TryGetProperty("text", out _))
                    {
                        total += CheckText(block, "text", 3000, $"/blocks/{i}/text", problems, plainOnly: false);
                    }

                    if (block.TryGetProperty("fields", out var fields))
                    {
                        if (fields.GetArrayLength() > 10)
                        {
                            problems.Add($"[ERROR] no more than 10 items allowed [json-pointer:/blocks/{i}/fields]");
                        }

                        var j = 0;
                        foreach (var field in fields.EnumerateArray())
                        {
                            total += CheckTextObject(field, 2000, $"/blocks/{i}/fields/{j++}", problems, plainOnly: false);
                        }
                    }

                    break;
                case "context":
                    var k = 0;
                    foreach (var element in block.GetProperty("elements").EnumerateArray())
                    {
                        total += CheckTextObject(element, 2000, $"/blocks/{i}/elements/{k++}", problems, plainOnly: false);
                    }

                    break;
                case "divider":
                    break;
                default:
                    problems.Add($"[ERROR] unsupported type: {type} [json-pointer:/blocks/{i}/type]");
                    break;
            }

            i++;
        }

        if (problems.Count > 0)
        {
            return FakeResponse.Error("invalid_blocks", $$"""
                "response_metadata":{"messages":{{JsonSerializer.Serialize(problems)}}}
                """.Trim());
        }

        return total > TotalText ? FakeResponse.Error("msg_blocks_too_long") : null;
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
