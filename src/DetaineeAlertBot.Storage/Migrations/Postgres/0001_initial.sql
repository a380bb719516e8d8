CREATE TABLE sources (
    name          text NOT NULL PRIMARY KEY,
    baselined_at  timestamptz NOT NULL,
    last_sync_at  timestamptz NOT NULL
);

CREATE TABLE cases (
    source          text NOT NULL,
    id              text NOT NULL,
    name            text NOT NULL,
    aliases_json    text NOT NULL DEFAULT '[]',
    status          text NOT NULL,
    status_since    date NULL,
    nationality     text NULL,
    country         text NULL,
    held_by         text NULL,
    location        text NULL,
    summary         text NULL,
    source_url      text NULL,
    updated_at      timestamptz NULL,
    first_seen_at   timestamptz NOT NULL,
    not_seen_since  timestamptz NULL,
    PRIMARY KEY (source, id)
);

CREATE TABLE status_history (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source         text NOT NULL,
    case_id        text NOT NULL,
    old_status     text NULL,
    new_status     text NOT NULL,
    status_since   date NULL,
    observed_at    timestamptz NOT NULL,
    snapshot_json  text NOT NULL,
    FOREIGN KEY (source, case_id) REFERENCES cases (source, id)
);
CREATE INDEX ix_status_history_case ON status_history (source, case_id, observed_at, id);

CREATE TABLE watchlist (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform     text NOT NULL,
    channel_id   text NOT NULL,
    case_source  text NOT NULL, -- '*' matches the case id in every source
    case_id      text NOT NULL,
    added_by     text NOT NULL,
    added_at     timestamptz NOT NULL,
    removed_by   text NULL,
    removed_at   timestamptz NULL
);
CREATE UNIQUE INDEX ux_watchlist_active ON watchlist (platform, channel_id, case_source, case_id) WHERE removed_at IS NULL;
CREATE INDEX ix_watchlist_key ON watchlist (platform, channel_id, case_source, case_id);
CREATE INDEX ix_watchlist_case ON watchlist (case_id) WHERE removed_at IS NULL;

CREATE TABLE alert_outbox (
    delivery_id      text NOT NULL PRIMARY KEY,
    history_id       bigint NOT NULL REFERENCES status_history (id),
    platform         text NOT NULL,
    channel_id       text NOT NULL,
    case_source      text NOT NULL,
    case_id          text NOT NULL,
    payload_json     text NOT NULL,
    state            text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_owner      text NULL,
    lease_until      timestamptz NULL,
    last_error       text NULL,
    external_id      text NULL,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz NULL,
    dead_at          timestamptz NULL,
    UNIQUE (history_id, platform, channel_id)
);
CREATE INDEX ix_alert_outbox_due ON alert_outbox (state, next_attempt_at);
