using System.Text.Json;
using System.Text.Json.Serialization;

namespace DetaineeAlertBot.Core.Cases;

/// <summary>CaseJson is the one JSON shape of a stored case snapshot (outbox payloads, history, storage),
/// camelCase with statuses in their wire form, so every store writes and reads the same text.</summary>
public static class CaseJson
{
    public static string Serialize(CaseRecord record) => JsonSerializer.Serialize(record, CaseJsonContext.Default.CaseRecord);

    public static CaseRecord Deserialize(string json) =>
        JsonSerializer.Deserialize(json, CaseJsonContext.Default.CaseRecord)
        ?? throw new JsonException("A stored case snapshot was the JSON literal null.");

    /// <summary>The same as <see cref="Deserialize(string)"/> of <paramref name="element"/>'s text, read in place (an
    /// outbox payload's "case" member: no copy of its text, no second parse).</summary>
    public static CaseRecord Deserialize(JsonElement element) =>
        element.Deserialize(CaseJsonContext.Default.CaseRecord)
        ?? throw new JsonException("A stored case snapshot was the JSON literal null.");

    public static string SerializeAliases(IReadOnlyList<string> aliases) =>
        JsonSerializer.Serialize(aliases, CaseJsonContext.Default.IReadOnlyListString);

    public static IReadOnlyList<string> DeserializeAliases(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, CaseJsonContext.Default.IReadOnlyListString) ?? [];
}

/// <summary>Writes <see cref="CaseStatus"/> as its contract wire value ("on_trial").</summary>
public sealed class CaseStatusJsonConverter : JsonConverter<CaseStatus>
{
    public override CaseStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        CaseStatuses.TryParse(reader.GetString(), out var status)
            ? status
            : throw new JsonException($"Unknown status '{reader.GetString()}'; allowed: {CaseStatuses.AllowedValues}.");

    public override void Write(Utf8JsonWriter writer, CaseStatus value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToWire());
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(CaseStatusJsonConverter)])]
[JsonSerializable(typeof(CaseRecord))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class CaseJsonContext : JsonSerializerContext;
