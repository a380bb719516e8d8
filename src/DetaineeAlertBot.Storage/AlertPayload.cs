using System.Globalization;
using System.Text;
using System.Text.Json;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cases;

namespace DetaineeAlertBot.Storage;

/// <summary>AlertPayload is the outbox row's payload_json: the case snapshot in <see cref="CaseJson"/> form plus the
/// change, so a sender needs nothing but the row (the case may change again before the alert goes out).</summary>
/// <remarks>Shape: {"case":{…CaseJson…},"oldStatus":"detained","oldStatusSince":"2024-12-01","newStatus":"released","observedAt":"…Z"}
/// (oldStatusSince only when known).</remarks>
/// <param name="NewCase">A case first seen after its source's baseline, alerted to the channels whose rules match it ("newCase": true;
/// the old status is then the new one).</param>
internal sealed record AlertPayload(CaseRecord Case, CaseStatus OldStatus, CaseStatus NewStatus, DateTimeOffset ObservedAt, DateOnly? OldStatusSince = null,
    bool NewCase = false)
{
    public string Serialize()
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("case");
            writer.WriteRawValue(CaseJson.Serialize(Case), skipInputValidation: true);
            writer.WriteString("oldStatus", OldStatus.ToWire());
            if (OldStatusSince is { } since) writer.WriteString("oldStatusSince", since.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            writer.WriteString("newStatus", NewStatus.ToWire());
            writer.WriteString("observedAt", ObservedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            if (NewCase) writer.WriteBoolean("newCase", true);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The row as the alert a sink sends (or a summary lists).</summary>
    public AlertMessage ToMessage(string deliveryId, string platform, string channelId, int attempt = 1) =>
        new(deliveryId, platform, channelId, Case, OldStatus, NewStatus, ObservedAt, attempt, OldStatusSince, NewCase);

    public static AlertPayload Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new AlertPayload(
            CaseJson.Deserialize(root.GetProperty("case").GetRawText()),
            ParseStatus(root.GetProperty("oldStatus").GetString()),
            ParseStatus(root.GetProperty("newStatus").GetString()),
            DateTimeOffset.Parse(root.GetProperty("observedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            root.TryGetProperty("oldStatusSince", out var since) && since.GetString() is { } text
                ? DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : null,
            root.TryGetProperty("newCase", out var isNew) && isNew.ValueKind == JsonValueKind.True);
    }

    private static CaseStatus ParseStatus(string? wire) =>
        CaseStatuses.TryParse(wire, out var status)
            ? status
            : throw new JsonException($"Outbox payload has unknown status '{wire}'; allowed: {CaseStatuses.AllowedValues}.");
}
