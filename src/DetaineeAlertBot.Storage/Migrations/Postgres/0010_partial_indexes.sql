-- Issue 13: most outbox rows end up delivered ('sent'), yet four indexes on state held an entry for every row: each
-- insert wrote entries for dead_at and sent_at that only dead or delivered rows need, and every delivered row kept its
-- entries in the due and created indexes, which only open rows need. Same columns as before, each index now partial
-- over the rows its queries read. SQLite uses a partial index only when the query repeats the index's WHERE term, so
-- the queries do (state IN ('pending', 'sending') AND state = 'pending'; state = 'dead'; state = 'sent'). The state
-- column stays first: a count of one state is then a range of the index alone.
DROP INDEX ix_alert_outbox_state_due;
DROP INDEX ix_alert_outbox_state_created;
DROP INDEX ix_alert_outbox_dead;
DROP INDEX ix_alert_outbox_sent;
CREATE INDEX ix_alert_outbox_open_due ON alert_outbox (state, next_attempt_at) WHERE state IN ('pending', 'sending');
CREATE INDEX ix_alert_outbox_open_created ON alert_outbox (state, created_at) WHERE state IN ('pending', 'sending');
CREATE INDEX ix_alert_outbox_dead ON alert_outbox (state, dead_at) WHERE state = 'dead';
CREATE INDEX ix_alert_outbox_sent ON alert_outbox (state, sent_at) WHERE state = 'sent';

-- A card's message id is looked up only by its value (a deleted message), so cards not posted yet (message_id NULL,
-- every card as its sync starts it) need no entry.
DROP INDEX ix_case_cards_message;
CREATE INDEX ix_case_cards_message ON case_cards (platform, channel_id, message_id) WHERE message_id IS NOT NULL;
