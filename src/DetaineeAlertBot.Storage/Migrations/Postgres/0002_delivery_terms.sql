-- Issue 10: fencing terms, ordered per channel and case, pauses, admin reports, bounded growth.
ALTER TABLE alert_outbox ALTER COLUMN history_id DROP NOT NULL;
ALTER TABLE alert_outbox
    ADD COLUMN seq bigint,
    ADD COLUMN kind text NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'report')),
    ADD COLUMN claim_term bigint NULL,
    ADD COLUMN in_doubt boolean NOT NULL DEFAULT false,
    ADD COLUMN first_try_at timestamptz NULL,
    ADD COLUMN failing_since timestamptz NULL,
    ADD COLUMN wait_reason text NULL;
-- Existing rows keep the order they were created in.
UPDATE alert_outbox o SET seq = n.rn
FROM (SELECT delivery_id, row_number() OVER (ORDER BY created_at, history_id, platform, channel_id) AS rn FROM alert_outbox) n
WHERE n.delivery_id = o.delivery_id;
CREATE SEQUENCE alert_outbox_seq OWNED BY alert_outbox.seq;
SELECT setval('alert_outbox_seq', COALESCE((SELECT max(seq) FROM alert_outbox), 0) + 1, false);
ALTER TABLE alert_outbox ALTER COLUMN seq SET DEFAULT nextval('alert_outbox_seq'), ALTER COLUMN seq SET NOT NULL;
CREATE UNIQUE INDEX ux_alert_outbox_seq ON alert_outbox (seq);
UPDATE alert_outbox SET in_doubt = true, first_try_at = created_at WHERE state = 'sending' OR attempts > 0;
UPDATE alert_outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL WHERE state = 'sending';

DROP INDEX ix_alert_outbox_due;
-- Full (not partial) indexes on state: counting one state is a range scan of that state's rows only, whatever the planner
-- can prove about partial index predicates (SQLite cannot match state = 'pending' to state IN (...)).
CREATE INDEX ix_alert_outbox_state_due ON alert_outbox (state, next_attempt_at);
CREATE INDEX ix_alert_outbox_state_created ON alert_outbox (state, created_at);
CREATE INDEX ix_alert_outbox_open_key ON alert_outbox (platform, channel_id, case_source, case_id, seq) WHERE state IN ('pending', 'sending');
CREATE INDEX ix_alert_outbox_dead ON alert_outbox (state, dead_at);
CREATE INDEX ix_alert_outbox_sent ON alert_outbox (state, sent_at);

CREATE TABLE outbox_delivered (
    platform   text NOT NULL PRIMARY KEY,
    delivered  bigint NOT NULL
);
INSERT INTO outbox_delivered (platform, delivered) SELECT platform, COUNT(*) FROM alert_outbox WHERE state = 'sent' GROUP BY platform;

CREATE TABLE delivery_term (
    id    integer NOT NULL PRIMARY KEY CHECK (id = 1),
    term  bigint NOT NULL
);
INSERT INTO delivery_term (id, term) VALUES (1, 0);

CREATE TABLE delivery_pauses (
    platform       text NOT NULL,
    channel_id     text NOT NULL,
    reason         text NOT NULL,
    since          timestamptz NOT NULL,
    next_check_at  timestamptz NOT NULL,
    checks         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, channel_id)
);

CREATE TABLE admin_incidents (
    incident          text NOT NULL PRIMARY KEY,
    last_reported_at  timestamptz NOT NULL
);
