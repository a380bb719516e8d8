-- Timestamps are UTC ISO-8601 text of fixed width (text order = time order); dates are yyyy-MM-dd.
CREATE TABLE sources (
    name          TEXT NOT NULL PRIMARY KEY,
    baselined_at  TEXT NOT NULL,
    last_sync_at  TEXT NOT NULL
);

CREATE TABLE cases (
    source          TEXT NOT NULL,
    id              TEXT NOT NULL,
    name            TEXT NOT NULL,
    aliases_json    TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    status_since    TEXT NULL,
    nationality     TEXT NULL,
    country         TEXT NULL,
    held_by         TEXT NULL,
    location        TEXT NULL,
    summary         TEXT NULL,
    source_url      TEXT NULL,
    updated_at      TEXT NULL,
    first_seen_at   TEXT NOT NULL,
    not_seen_since  TEXT NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE status_history (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    source         TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    old_status     TEXT NULL,
    new_status     TEXT NOT NULL,
    status_since   TEXT NULL,
    observed_at    TEXT NOT NULL,
    snapshot_json  TEXT NOT NULL,
    FOREIGN KEY (source, case_id) REFERENCES cases (source, id)
);
CREATE INDEX ix_status_history_case ON status_history (source, case_id, observed_at, id);

CREATE TABLE watchlist (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform     TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    case_source  TEXT NOT NULL, -- '*' matches the case id in every source
    case_id      TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    removed_by   TEXT NULL,
    removed_at   TEXT NULL
);
CREATE UNIQUE INDEX ux_watchlist_active ON watchlist (platform, channel_id, case_source, case_id) WHERE removed_at IS NULL;
CREATE INDEX ix_watchlist_key ON watchlist (platform, channel_id, case_source, case_id);
CREATE INDEX ix_watchlist_case ON watchlist (case_id) WHERE removed_at IS NULL;

CREATE TABLE alert_outbox (
    delivery_id      TEXT NOT NULL PRIMARY KEY,
    history_id       INTEGER NOT NULL REFERENCES status_history (id),
    platform         TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    case_source      TEXT NOT NULL,
    case_id          TEXT NOT NULL,
    payload_json     TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT NULL,
    lease_until      TEXT NULL,
    last_error       TEXT NULL,
    external_id      TEXT NULL,
    created_at       TEXT NOT NULL,
    sent_at          TEXT NULL,
    dead_at          TEXT NULL,
    UNIQUE (history_id, platform, channel_id)
);
CREATE INDEX ix_alert_outbox_due ON alert_outbox (state, next_attempt_at);
