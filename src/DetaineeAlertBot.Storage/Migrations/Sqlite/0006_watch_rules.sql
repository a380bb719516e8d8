-- Issue 13: rule entries. A channel follows every case matching all of the rule's set fields (NULL: any); statuses is a
-- comma-separated list of status words (empty: any). Removal is soft, like watchlist rows, so an admin's removal of a
-- configured rule survives restarts.
CREATE TABLE watch_rules (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    platform     TEXT NOT NULL,
    channel_id   TEXT NOT NULL,
    country      TEXT NULL,
    nationality  TEXT NULL,
    held_by      TEXT NULL,
    source       TEXT NULL,
    statuses     TEXT NOT NULL DEFAULT '',
    added_by     TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    removed_by   TEXT NULL,
    removed_at   TEXT NULL
);
CREATE INDEX ix_watch_rules_channel ON watch_rules (platform, channel_id);
