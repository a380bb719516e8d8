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
/// <param name="Flap">A flapping case's notice or "settled" alert ("flap": {"settled", "statuses", "changes", "since"}).</param>
internal sealed record AlertPayload(CaseRecord Case, CaseStatus OldStatus, CaseStatus NewStatus, DateTimeOffset ObservedAt, DateOnly? OldStatusSince = null,
    bool NewCase = false, AlertFlap? Flap = null)
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
            if (Flap is { } flap)
            {
                writer.WriteStartObject("flap");
                writer.WriteBoolean("settled", flap.Settled);
                writer.WriteStartArray("statuses");
                foreach (var status in flap.Statuses) writer.WriteStringValue(status.ToWire());
                writer.WriteEndArray();
                writer.WriteNumber("changes", flap.Changes);
                writer.WriteString("since", flap.Since.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The row as the alert a sink sends (or a summary lists).</summary>
    public AlertMessage ToMessage(string deliveryId, string platform, string channelId, int attempt = 1) =>
        new(deliveryId, platform, channelId, Case, OldStatus, NewStatus, ObservedAt, attempt, OldStatusSince, NewCase, Flap);

    /// <summary>The payload of an alert (a card's last alert is stored this way).</summary>
    public static AlertPayload Of(AlertMessage alert) =>
        new(alert.Case, alert.OldStatus, alert.NewStatus, alert.ObservedAt, alert.OldStatusSince, alert.IsNewCase, alert.Flap);

    public static AlertPayload Deserialize(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new AlertPayload(
            CaseJson.Deserialize(root.GetProperty("case")),
            ParseStatus(root.GetProperty("oldStatus").GetString()),
            ParseStatus(root.GetProperty("newStatus").GetString()),
            DateTimeOffset.Parse(root.GetProperty("observedAt").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            root.TryGetProperty("oldStatusSince", out var since) && since.GetString() is { } text
                ? DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : null,
            root.TryGetProperty("newCase", out var isNew) && isNew.ValueKind == JsonValueKind.True,
            root.TryGetProperty("flap", out var flap) && flap.ValueKind == JsonValueKind.Object ? ReadFlap(flap) : null);
    }

    private static AlertFlap ReadFlap(JsonElement flap) => new(
        flap.TryGetProperty("settled", out var settled) && settled.ValueKind == JsonValueKind.True,
        flap.TryGetProperty("statuses", out var statuses) && statuses.ValueKind == JsonValueKind.Array
            ? statuses.EnumerateArray().Select(s => ParseStatus(s.GetString())).ToArray()
            : [],
        flap.TryGetProperty("changes", out var changes) && changes.TryGetInt32(out var count) ? count : 0,
        DateTimeOffset.Parse(flap.GetProperty("since").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    private static CaseStatus ParseStatus(string? wire) =>
        CaseStatuses.TryParse(wire, out var status)
            ? status
            : throw new JsonException($"Outbox payload has unknown status '{wire}'; allowed: {CaseStatuses.AllowedValues}.");
}
