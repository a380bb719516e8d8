-- Issue 12: case cards. A channel's style (no row = 'card'), one card per (channel, case), and mutes.
-- A card's message_id is null until its post is known to have arrived; then it is read from the outbox row
-- (delivery_id) that posted it, so a crash between the post and this table never leads to a second card.
CREATE TABLE channel_settings (
    platform    TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    style       TEXT NOT NULL CHECK (style IN ('card', 'plain')),
    set_by      TEXT NOT NULL,
    set_at      TEXT NOT NULL,
    PRIMARY KEY (platform, channel_id)
);

CREATE TABLE case_cards (
    card_id          TEXT NOT NULL PRIMARY KEY,
    platform         TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    case_source      TEXT NOT NULL,
    case_id          TEXT NOT NULL,
    delivery_id      TEXT NOT NULL,
    message_id       TEXT NULL,
    alert_json       TEXT NOT NULL,
    ack_user_id      TEXT NULL,
    ack_user_name    TEXT NULL,
    ack_at           TEXT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (platform, channel_id, case_source, case_id)
);
CREATE INDEX ix_case_cards_message ON case_cards (platform, channel_id, message_id);

CREATE TABLE case_mutes (
    platform      TEXT NOT NULL,
    channel_id    TEXT NOT NULL,
    case_source   TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    muted_until   TEXT NOT NULL,
    set_by_id     TEXT NOT NULL,
    set_by_name   TEXT NOT NULL,
    set_at        TEXT NOT NULL,
    PRIMARY KEY (platform, channel_id, case_source, case_id)
);
