using System.Collections.Concurrent;
using DetaineeAlertBot.Core.Alerts;
using DetaineeAlertBot.Core.Cards;
using DetaineeAlertBot.Core.Cases;
using DetaineeAlertBot.Core.Storage;

namespace DetaineeAlertBot.Core.Tests.Fakes;

/// <summary>An in-memory <see cref="ICardStore"/> with the real store's rules (CardStoreTests check those on SQLite and
/// PostgreSQL). <see cref="SentRows"/> stands in for the outbox rows a card's message id can be read from.</summary>
public sealed class InMemoryCardStore : ICardStore
{
    private readonly ConcurrentDictionary<(string, string), CardStyle> _styles = new();
    private readonly ConcurrentDictionary<(string, string, CaseKey), CaseCard> _cards = new();
    private readonly ConcurrentDictionary<(string, string, CaseKey), CaseMute> _mutes = new();
    private int _next;

    /// <summary>Delivery id → external id of outbox rows stored sent.</summary>
    public ConcurrentDictionary<string, string> SentRows { get; } = new();

    public IReadOnlyCollection<CaseCard> Cards => _cards.Values.ToArray();

    public Task<CardStyle> GetStyleAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        Task.FromResult(_styles.GetValueOrDefault((platform, channelId), CardStyle.Card));

    public Task<ChannelStyle?> GetStyleSettingAsync(string platform, string channelId, CancellationToken cancellationToken) =>
        Task.FromResult(_styles.TryGetValue((platform, channelId), out var style) ? new ChannelStyle(style, "admin", DateTimeOffset.UnixEpoch) : null);

    public Task<IReadOnlyList<CaseMute>> ListMutesAsync(string platform, string channelId, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CaseMute>>(_mutes.Values.Where(m => m.Platform == platform && m.ChannelId == channelId && m.Until > at).OrderBy(m => m.Until).ToArray());

    public Task SetStyleAsync(string platform, string channelId, CardStyle style, string setBy, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _styles[(platform, channelId)] = style;
        return Task.CompletedTask;
    }

    public Task<int> SeedStylesAsync(IReadOnlyList<(string Platform, string ChannelId, CardStyle Style)> styles, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(styles.Count(s => _styles.TryAdd((s.Platform, s.ChannelId), s.Style)));

    public async Task<CardDeliveryState> GetDeliveryStateAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var style = await GetStyleAsync(platform, channelId, cancellationToken);
        var mute = await FindMuteAsync(platform, channelId, caseKey, at, cancellationToken);
        return new CardDeliveryState(style, mute, style == CardStyle.Plain || mute is not null ? null : await FindAsync(platform, channelId, caseKey, cancellationToken));
    }

    public Task<CaseCard?> FindAsync(string platform, string channelId, CaseKey caseKey, CancellationToken cancellationToken) =>
        Task.FromResult(_cards.TryGetValue((platform, channelId, caseKey), out var card) ? Resolve(card) : null);

    public Task<CaseCard?> FindByIdAsync(string cardId, CancellationToken cancellationToken) =>
        Task.FromResult(_cards.Values.Where(c => c.CardId == cardId).Select(Resolve).FirstOrDefault());

    public Task<CaseCard> StartAsync(AlertMessage alert, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var key = (alert.Platform, alert.ChannelId, alert.Case.Key);
        if (_cards.TryGetValue(key, out var existing) && existing.DeliveryId == alert.DeliveryId) return Task.FromResult(Resolve(existing));
        var card = new CaseCard($"card{Interlocked.Increment(ref _next):D8}", alert.Platform, alert.ChannelId, alert.Case.Key, alert.DeliveryId, null, alert, null, at);
        _cards[key] = card;
        return Task.FromResult(card);
    }

    public Task SetMessageAsync(string cardId, string messageId, CancellationToken cancellationToken) =>
        Update(cardId, c => c with { MessageId = messageId });

    public Task SetLastAlertAsync(string cardId, AlertMessage alert, DateTimeOffset at, CancellationToken cancellationToken) =>
        Update(cardId, c => c with { LastAlert = alert, UpdatedAt = at });

    public Task SetAcknowledgementAsync(string cardId, CardAcknowledgement? acknowledgement, DateTimeOffset at, CancellationToken cancellationToken) =>
        Update(cardId, c => c with { Acknowledgement = acknowledgement, UpdatedAt = at });

    public Task<int> ForgetMessageAsync(string platform, string channelId, string messageId, CancellationToken cancellationToken)
    {
        var forgotten = 0;
        foreach (var (key, card) in _cards)
        {
            if (card.Platform != platform || card.ChannelId != channelId || card.MessageId != messageId) continue;
            _cards[key] = card with { MessageId = null, DeliveryId = "deleted:" + card.CardId };
            forgotten++;
        }
        return Task.FromResult(forgotten);
    }

    public Task MuteAsync(CaseMute mute, CancellationToken cancellationToken)
    {
        _summarized.TryRemove((mute.Platform, mute.ChannelId, mute.Case), out _);
        _mutes[(mute.Platform, mute.ChannelId, mute.Case)] = mute;
        return Task.CompletedTask;
    }

    private readonly ConcurrentDictionary<(string, string, CaseKey), bool> _summarized = new();

    public Task<bool> UnmuteAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var ended = false;
        foreach (var (key, mute) in _mutes)
        {
            if (mute.Platform != platform || mute.ChannelId != channelId || mute.Until <= at || (caseKey != CaseMute.AllCases && mute.Case != caseKey)) continue;
            _mutes[key] = mute with { Until = at };
            ended = true;
        }
        return Task.FromResult(ended);
    }

    public Task<CaseMute?> FindMuteAsync(string platform, string channelId, CaseKey caseKey, DateTimeOffset at, CancellationToken cancellationToken) =>
        Task.FromResult(
            (_mutes.TryGetValue((platform, channelId, caseKey), out var mute) && mute.Until > at ? mute : null)
            ?? (_mutes.TryGetValue((platform, channelId, CaseMute.AllCases), out var all) && all.Until > at ? all : null));

    public Task<IReadOnlyList<CaseMute>> ListEndedUnsummarizedAsync(DateTimeOffset at, int max, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CaseMute>>(_mutes.Values.Where(m => m.Until <= at && !_summarized.ContainsKey((m.Platform, m.ChannelId, m.Case)))
            .OrderBy(m => m.Until).Take(max).ToArray());

    public Task MarkSummarizedAsync(CaseMute mute, DateTimeOffset at, CancellationToken cancellationToken)
    {
        _summarized[(mute.Platform, mute.ChannelId, mute.Case)] = true;
        return Task.CompletedTask;
    }

    private CaseCard Resolve(CaseCard card) =>
        card.MessageId is null && SentRows.TryGetValue(card.DeliveryId, out var externalId) ? card with { MessageId = externalId } : card;

    private Task Update(string cardId, Func<CaseCard, CaseCard> change)
    {
        foreach (var (key, card) in _cards)
        {
            if (card.CardId == cardId) _cards[key] = change(card);
        }
        return Task.CompletedTask;
    }
}
