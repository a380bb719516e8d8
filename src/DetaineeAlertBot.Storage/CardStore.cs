using System.Data.Common;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;
using DetaineeAlertBot.Storage.Sql;

namespace DetaineeAlertBot.Storage;

/// <summary>CardStore keeps channel styles (channel_settings), case cards (case_cards) and mutes (case_mutes). A card's
/// message id, when the process died between posting and storing it, is read from the outbox row that posted it.</summary>
public sealed class CardStore(StorageDatabase database) : ICardStore
{
    private const string ChannelCase = "platform = @platform AND channel_id = @channel_id AND case_source = @case_source AND case_id = @case_id";

    private const string SelectCard =
        "SELECT c.card_id, c.platform, c.channel_id, c.case_source, c.case_id, c.delivery_id, c.message_id, c.alert_json, " +
        "c.ack_user_id, c.ack_user_name, c.ack_at, c.updated_at, o.state, o.external_id " +
        "FROM case_cards c LEFT JOIN alert_outbox o ON o.delivery_id = c.delivery_id ";

    private const string MuteColumns = "platform, channel_id, case_source, case_id, muted_until, set_by_id, set_by_name, set_at";

    private readonly SqlDialect _dialect = database.Dialect;

    public Task<CardStyle> GetStyleAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a channel's style", connection => ReadStyleAsync(connection, platform, channelId, cancellationToken), cancellationToken);

    public Task<ChannelStyle?> GetStyleSettingAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a channel's style", async connection =>
        {
            await using var command = connection.Command("SELECT style, set_by, set_at FROM channel_settings WHERE platform = @platform AND channel_id = @channel_id")
                .With("@platform", platform).With("@channel_id", channelId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
            return new ChannelStyle(CardStyles.TryParse(reader.GetString(0), out var style) ? style : CardStyle.Card, reader.GetString(1), _dialect.ReadTimestamp(reader, 2));
        }, cancellationToken);

    public Task<IReadOnlyList<CaseMute>> ListMutesAsync(string platform, string channelId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<CaseMute>>("Listing a channel's mutes", async connection =>
        {
            await using var command = connection.Command(
                    $"SELECT {MuteColumns} FROM case_mutes " +
                    "WHERE platform = @platform AND channel_id = @channel_id AND muted_until > @at ORDER BY muted_until, case_source, case_id")
                .With("@platform", platform).With("@channel_id", channelId).With("@at", _dialect.Timestamp(at));
            return await ReadMutesAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task SetStyleAsync(string platform, string channelId, CardStyle style, string setBy, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync("Setting a channel's style", async connection =>
        {
            await using var command = connection.Command(
                    "INSERT INTO channel_settings (platform, channel_id, style, set_by, set_at) VALUES (@platform, @channel_id, @style, @set_by, @set_at) " +
                    "ON CONFLICT (platform, channel_id) DO UPDATE SET style = excluded.style, set_by = excluded.set_by, set_at = excluded.set_at")
                .With("@platform", platform).With("@channel_id", channelId).With("@style", style.ToWire())
                .With("@set_by", setBy).With("@set_at", _dialect.Timestamp(at));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<int> SeedStylesAsync(IReadOnlyList<(string Platform, string ChannelId, CardStyle Style)> styles, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(styles);
        if (styles.Count == 0) return Task.FromResult(0);
        return database.RunInTransactionAsync("Seeding channel styles", async (connection, transaction) =>
        {
            var inserted = 0;
            foreach (var (platform, channelId, style) in styles)
            {
                await using var command = connection.Command(
                        "INSERT INTO channel_settings (platform, channel_id, style, set_by, set_at) VALUES (@platform, @channel_id, @style, 'config', @set_at) " +
                        "ON CONFLICT (platform, channel_id) DO NOTHING", transaction)
                    .With("@platform", platform).With("@channel_id", channelId).With("@style", style.ToWire()).With("@set_at", _dialect.Timestamp(at));
                inserted += await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            return inserted;
        }, cancellationToken);
    }

    public Task<CardDeliveryState> GetDeliveryStateAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a channel's card state", async connection =>
        {
            // One connection, up to four indexed reads (a mute holds in either style; a muted or digest channel, or a plain
            // one, needs no card).
            var style = await ReadStyleAsync(connection, platform, channelId, cancellationToken).ConfigureAwait(false);
            var mute = await ReadMuteAsync(connection, platform, channelId, caseKey, at, cancellationToken).ConfigureAwait(false);
            var collecting = mute is null && await DigestStore.IsCollectingAsync(connection, platform, channelId, cancellationToken).ConfigureAwait(false);
            var card = style == CardStyle.Plain || mute is not null || collecting
                ? null
                : await ReadCardAsync(connection, null, platform, channelId, caseKey, cancellationToken).ConfigureAwait(false);
            return new CardDeliveryState(style, mute, card, collecting);
        }, cancellationToken);

    public Task<CaseCard?> FindAsync(string platform, string channelId, CaseKey caseKey, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a case card", connection => ReadCardAsync(connection, null, platform, channelId, caseKey, cancellationToken), cancellationToken);

    public Task<CaseCard?> FindByIdAsync(string cardId, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a case card", async connection =>
        {
            await using var command = connection.Command(SelectCard + "WHERE c.card_id = @card_id").With("@card_id", cardId);
            return await ReadCardAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task<CaseCard> StartAsync(AlertMessage alert, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return database.RunInTransactionAsync("Starting a case card", async (connection, transaction) =>
        {
            if (await ReadCardAsync(connection, transaction, alert.Platform, alert.ChannelId, alert.Case.Key, cancellationToken).ConfigureAwait(false) is { } existing
                && existing.DeliveryId == alert.DeliveryId)
            {
                return existing;
            }

            var card = new CaseCard(CardIds.New(), alert.Platform, alert.ChannelId, alert.Case.Key, alert.DeliveryId, null, alert, null, at);
            await using var upsert = connection.Command(
                "INSERT INTO case_cards (card_id, platform, channel_id, case_source, case_id, delivery_id, message_id, alert_json, updated_at) " +
                "VALUES (@card_id, @platform, @channel_id, @case_source, @case_id, @delivery_id, NULL, @alert_json, @updated_at) " +
                "ON CONFLICT (platform, channel_id, case_source, case_id) DO UPDATE SET card_id = excluded.card_id, delivery_id = excluded.delivery_id, " +
                "message_id = NULL, alert_json = excluded.alert_json, ack_user_id = NULL, ack_user_name = NULL, ack_at = NULL, updated_at = excluded.updated_at",
                transaction);
            BindChannelCase(upsert, alert.Platform, alert.ChannelId, alert.Case.Key);
            upsert.With("@card_id", card.CardId).With("@delivery_id", alert.DeliveryId).With("@alert_json", Serialize(alert))
                .With("@updated_at", _dialect.Timestamp(at));
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return card;
        }, cancellationToken);
    }

    public Task SetMessageAsync(string cardId, string messageId, CancellationToken cancellationToken) =>
        UpdateCardAsync("Storing a card's message id", "message_id = @message_id", cardId, command => command.With("@message_id", messageId), cancellationToken);

    public Task SetLastAlertAsync(string cardId, AlertMessage alert, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateCardAsync("Storing what a card shows", "alert_json = @alert_json, updated_at = @updated_at", cardId,
            command => command.With("@alert_json", Serialize(alert)).With("@updated_at", _dialect.Timestamp(at)), cancellationToken);

    public Task SetAcknowledgementAsync(string cardId, CardAcknowledgement? acknowledgement, DateTimeOffset at, CancellationToken cancellationToken) =>
        UpdateCardAsync("Storing a card's acknowledgement", "ack_user_id = @ack_user_id, ack_user_name = @ack_user_name, ack_at = @ack_at, updated_at = @updated_at", cardId,
            command => command
                .With("@ack_user_id", (object?)acknowledgement?.UserId ?? DBNull.Value)
                .With("@ack_user_name", (object?)acknowledgement?.UserName ?? DBNull.Value)
                .With("@ack_at", _dialect.TimestampOrNull(acknowledgement?.At))
                .With("@updated_at", _dialect.Timestamp(at)), cancellationToken);

    public Task<int> ForgetMessageAsync(string platform, string channelId, string messageId, CancellationToken cancellationToken) =>
        database.RunAsync("Forgetting a deleted card", async connection =>
        {
            // The delivery id goes too (to a marker no outbox row has), so the outbox row cannot hand the old id back.
            await using var command = connection.Command(
                    "UPDATE case_cards SET message_id = NULL, delivery_id = 'deleted:' || card_id " +
                    "WHERE platform = @platform AND channel_id = @channel_id AND message_id = @message_id")
                .With("@platform", platform).With("@channel_id", channelId).With("@message_id", messageId);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task MuteAsync(CaseMute mute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mute);
        return database.RunAsync("Muting a case", async connection =>
        {
            await using var command = connection.Command(
                "INSERT INTO case_mutes (platform, channel_id, case_source, case_id, muted_until, set_by_id, set_by_name, set_at) " +
                "VALUES (@platform, @channel_id, @case_source, @case_id, @muted_until, @set_by_id, @set_by_name, @set_at) " +
                // A mute not yet summarized (running, or ended moments ago) keeps its start: one summary covers both.
                "ON CONFLICT (platform, channel_id, case_source, case_id) DO UPDATE SET muted_until = excluded.muted_until, " +
                "set_by_id = excluded.set_by_id, set_by_name = excluded.set_by_name, " +
                "set_at = CASE WHEN case_mutes.summarized_at IS NULL THEN case_mutes.set_at ELSE excluded.set_at END, summarized_at = NULL");
            BindChannelCase(command, mute.Platform, mute.ChannelId, mute.Case);
            command.With("@muted_until", _dialect.Timestamp(mute.Until)).With("@set_by_id", mute.SetById).With("@set_by_name", mute.SetByName)
                .With("@set_at", _dialect.Timestamp(mute.SetAt));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    public Task<bool> UnmuteAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync("Unmuting a case", async connection =>
        {
            // Ended, not deleted: the summary of what was withheld is still to come.
            var which = caseKey == CaseMute.AllCases ? "platform = @platform AND channel_id = @channel_id" : ChannelCase;
            await using var command = connection.Command($"UPDATE case_mutes SET muted_until = @at WHERE {which} AND muted_until > @at");
            BindChannelCase(command, platform, channelId, caseKey);
            command.With("@at", _dialect.Timestamp(at));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }, cancellationToken);

    public Task<CaseMute?> FindMuteAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync("Reading a mute", connection => ReadMuteAsync(connection, platform, channelId, caseKey, at, cancellationToken), cancellationToken);

    private static async Task<CardStyle> ReadStyleAsync(DbConnection connection, string platform, string channelId, CancellationToken cancellationToken)
    {
        await using var command = connection.Command("SELECT style FROM channel_settings WHERE platform = @platform AND channel_id = @channel_id")
            .With("@platform", platform).With("@channel_id", channelId);
        return CardStyles.TryParse(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string, out var style) ? style : CardStyle.Card;
    }

    private async Task<CaseMute?> ReadMuteAsync(DbConnection connection, string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var command = connection.Command(
            $"SELECT {MuteColumns} FROM case_mutes WHERE platform = @platform AND channel_id = @channel_id " +
            "AND ((case_source = @case_source AND case_id = @case_id) OR (case_source = '*' AND case_id = '*')) AND muted_until > @at " +
            "ORDER BY muted_until DESC LIMIT 1");
        BindChannelCase(command, platform, channelId, caseKey);
        command.With("@at", _dialect.Timestamp(at));
        return (await ReadMutesAsync(command, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
    }

    /// <summary>Rows of <see cref="MuteColumns"/>, in the command's order.</summary>
    private async Task<IReadOnlyList<CaseMute>> ReadMutesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var mutes = new List<CaseMute>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            mutes.Add(new CaseMute(reader.GetString(0), reader.GetString(1), new CaseKey(reader.GetString(2), reader.GetString(3)), _dialect.ReadTimestamp(reader, 4),
                reader.GetString(5), reader.GetString(6), _dialect.ReadTimestamp(reader, 7)));
        }
        return mutes;
    }

    public Task<IReadOnlyList<CaseMute>> ListEndedUnsummarizedAsync(DateTimeOffset at, int max, CancellationToken cancellationToken) =>
        database.RunAsync<IReadOnlyList<CaseMute>>("Listing ended mutes", async connection =>
        {
            await using var command = connection.Command(
                    $"SELECT {MuteColumns} FROM case_mutes WHERE muted_until <= @at AND summarized_at IS NULL ORDER BY muted_until LIMIT @max")
                .With("@at", _dialect.Timestamp(at)).With("@max", Math.Max(1, max));
            return await ReadMutesAsync(command, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    public Task MarkSummarizedAsync(CaseMute mute, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.RunAsync("Recording a mute's summary", async connection =>
        {
            // Only the mute as listed: one extended or set again since then is a new period, summarized when it ends.
            await using var command = connection.Command($"UPDATE case_mutes SET summarized_at = @at WHERE {ChannelCase} AND muted_until = @until AND summarized_at IS NULL");
            BindChannelCase(command, mute.Platform, mute.ChannelId, mute.Case);
            command.With("@at", _dialect.Timestamp(at)).With("@until", _dialect.Timestamp(mute.Until));
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private async Task<CaseCard?> ReadCardAsync(DbConnection connection, DbTransaction? transaction, string platform, string channelId, CaseKey caseKey,
        CancellationToken cancellationToken)
    {
        await using var command = connection.Command(SelectCard + "WHERE c.platform = @platform AND c.channel_id = @channel_id AND c.case_source = @case_source AND c.case_id = @case_id", transaction);
        BindChannelCase(command, platform, channelId, caseKey);
        return await ReadCardAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private Task UpdateCardAsync(string operation, string set, string cardId, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        database.RunAsync(operation, async connection =>
        {
            await using var command = connection.Command($"UPDATE case_cards SET {set} WHERE card_id = @card_id").With("@card_id", cardId);
            bind(command);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);

    private async Task<CaseCard?> ReadCardAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) return null;
        var platform = reader.GetString(1);
        var channelId = reader.GetString(2);
        var deliveryId = reader.GetString(5);
        var messageId = reader.IsDBNull(6) ? null : reader.GetString(6);
        // The post arrived but the process died before storing its id: the outbox row, marked sent by the resend's
        // probe or nonce, has it.
        // A row withheld (muted) or collected for a digest was never posted: no message to edit.
        if (messageId is null && !reader.IsDBNull(12) && reader.GetString(12) == "sent" && !reader.IsDBNull(13) && IAlertOutbox.IsMessageId(reader.GetString(13)))
            messageId = reader.GetString(13);
        var alert = AlertPayload.Deserialize(reader.GetString(7)).ToMessage(deliveryId, platform, channelId);
        var acknowledgement = reader.IsDBNull(8) ? null : new CardAcknowledgement(reader.GetString(8), reader.GetString(9), _dialect.ReadTimestamp(reader, 10));
        return new CaseCard(reader.GetString(0), platform, channelId, new CaseKey(reader.GetString(3), reader.GetString(4)), deliveryId, messageId, alert,
            acknowledgement, _dialect.ReadTimestamp(reader, 11));
    }

    private static void BindChannelCase(DbCommand command, string platform, string channelId, CaseKey caseKey) =>
        command.With("@platform", platform).With("@channel_id", channelId).With("@case_source", caseKey.Source).With("@case_id", caseKey.Id);

    private static string Serialize(AlertMessage alert) =>
        AlertPayload.Of(alert).Serialize();
}

/// <summary>Card ids: 12 lowercase base32 characters (60 random bits, no time in them), short enough for a button's
/// custom id with room for the action, and meaningless outside our store.</summary>
internal static class CardIds
{
    public const int Length = 12;

    public static string New() => RandomBase32.New(Length);
}
