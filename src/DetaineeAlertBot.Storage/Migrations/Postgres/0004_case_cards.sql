-- Issue 12: case cards. A channel's style (no row = 'card'), one card per (channel, case), and mutes.
-- A card's message_id is null until its post is known to have arrived; then it is read from the outbox row
-- (delivery_id) that posted it, so a crash between the post and this table never leads to a second card.
CREATE TABLE channel_settings (
    platform    text NOT NULL,
    channel_id  text NOT NULL,
    style       text NOT NULL CHECK (style IN ('card', 'plain')),
    set_by      text NOT NULL,
    set_at      timestamptz NOT NULL,
    PRIMARY KEY (platform, channel_id)
);

CREATE TABLE case_cards (
    card_id          text NOT NULL PRIMARY KEY,
    platform         text NOT NULL,
    channel_id       text NOT NULL,
    case_source      text NOT NULL,
    case_id          text NOT NULL,
    delivery_id      text NOT NULL,
    message_id       text NULL,
    alert_json       text NOT NULL,
    ack_user_id      text NULL,
    ack_user_name    text NULL,
    ack_at           timestamptz NULL,
    updated_at       timestamptz NOT NULL,
    UNIQUE (platform, channel_id, case_source, case_id)
);
CREATE INDEX ix_case_cards_message ON case_cards (platform, channel_id, message_id);

CREATE TABLE case_mutes (
    platform      text NOT NULL,
    channel_id    text NOT NULL,
    case_source   text NOT NULL,
    case_id       text NOT NULL,
    muted_until   timestamptz NOT NULL,
    set_by_id     text NOT NULL,
    set_by_name   text NOT NULL,
    set_at        timestamptz NOT NULL,
    PRIMARY KEY (platform, channel_id, case_source, case_id)
);
