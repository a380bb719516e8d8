-- Issue 13: rule entries. A channel follows every case matching all of the rule's set fields (NULL: any); statuses is a
-- comma-separated list of status words (empty: any). Removal is soft, like watchlist rows, so an admin's removal of a
-- configured rule survives restarts.
CREATE TABLE watch_rules (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform     text NOT NULL,
    channel_id   text NOT NULL,
    country      text NULL,
    nationality  text NULL,
    held_by      text NULL,
    source       text NULL,
    statuses     text NOT NULL DEFAULT '',
    added_by     text NOT NULL,
    added_at     timestamptz NOT NULL,
    removed_by   text NULL,
    removed_at   timestamptz NULL
);
CREATE INDEX ix_watch_rules_channel ON watch_rules (platform, channel_id);
