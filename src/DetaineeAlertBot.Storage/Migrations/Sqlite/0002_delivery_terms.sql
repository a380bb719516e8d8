-- Issue 10: fencing terms, ordered per channel and case, pauses, admin reports, bounded growth.
-- SQLite cannot drop NOT NULL from history_id (reports have no history row), so alert_outbox is rebuilt.
CREATE TABLE alert_outbox_v2 (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT, -- insertion order: the order of the changes
    delivery_id      TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL DEFAULT 'alert' CHECK (kind IN ('alert', 'report')),
    history_id       INTEGER NULL REFERENCES status_history (id),
    platform         TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    case_source      TEXT NOT NULL,
    case_id          TEXT NOT NULL,
    payload_json     TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0, -- failed sends that count; waits (429, pauses) do not
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT NULL,
    lease_until      TEXT NULL,
    claim_term       INTEGER NULL,               -- delivery term of the claim (fencing token)
    in_doubt         INTEGER NOT NULL DEFAULT 0, -- an earlier send may have reached the platform
    first_try_at     TEXT NULL,
    failing_since    TEXT NULL,                  -- GiveUpAfter counts from here
    wait_reason      TEXT NULL,
    last_error       TEXT NULL,
    external_id      TEXT NULL,
    created_at       TEXT NOT NULL,
    sent_at          TEXT NULL,
    dead_at          TEXT NULL,
    UNIQUE (history_id, platform, channel_id)
);
INSERT INTO alert_outbox_v2 (delivery_id, kind, history_id, platform, channel_id, case_source, case_id, payload_json, state, attempts,
    next_attempt_at, lease_owner, lease_until, in_doubt, first_try_at, last_error, external_id, created_at, sent_at, dead_at)
SELECT delivery_id, 'alert', history_id, platform, channel_id, case_source, case_id, payload_json,
    CASE WHEN state = 'sending' THEN 'pending' ELSE state END, attempts, next_attempt_at, NULL, NULL,
    CASE WHEN state = 'sending' OR attempts > 0 THEN 1 ELSE 0 END, CASE WHEN state = 'sending' OR attempts > 0 THEN created_at END,
    last_error, external_id, created_at, sent_at, dead_at
FROM alert_outbox ORDER BY created_at, history_id, platform, channel_id;
DROP TABLE alert_outbox;
ALTER TABLE alert_outbox_v2 RENAME TO alert_outbox;

-- Full (not partial) indexes on state: counting one state is a range scan of that state's rows only, whatever the planner
-- can prove about partial index predicates (SQLite cannot match state = 'pending' to state IN (...)).
CREATE INDEX ix_alert_outbox_state_due ON alert_outbox (state, next_attempt_at);
CREATE INDEX ix_alert_outbox_state_created ON alert_outbox (state, created_at);
CREATE INDEX ix_alert_outbox_open_key ON alert_outbox (platform, channel_id, case_source, case_id, seq) WHERE state IN ('pending', 'sending');
CREATE INDEX ix_alert_outbox_dead ON alert_outbox (state, dead_at);
CREATE INDEX ix_alert_outbox_sent ON alert_outbox (state, sent_at);

-- Delivered totals per platform, maintained on each mark, so counting never scans the delivered rows.
CREATE TABLE outbox_delivered (
    platform   TEXT NOT NULL PRIMARY KEY,
    delivered  INTEGER NOT NULL
);
INSERT INTO outbox_delivered (platform, delivered) SELECT platform, COUNT(*) FROM alert_outbox WHERE state = 'sent' GROUP BY platform;

-- The current delivery term: each dispatcher that starts leading takes the next one.
CREATE TABLE delivery_term (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    term  INTEGER NOT NULL
);
INSERT INTO delivery_term (id, term) VALUES (1, 0);

-- A platform (channel_id '') or one channel that is not being sent to, and when to check it again.
CREATE TABLE delivery_pauses (
    platform       TEXT NOT NULL,
    channel_id     TEXT NOT NULL,
    reason         TEXT NOT NULL,
    since          TEXT NOT NULL,
    next_check_at  TEXT NOT NULL,
    checks         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, channel_id)
);

-- When each incident was last reported to the admin channels (at most one report per incident per interval).
CREATE TABLE admin_incidents (
    incident          TEXT NOT NULL PRIMARY KEY,
    last_reported_at  TEXT NOT NULL
);
