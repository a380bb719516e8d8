-- Issue 13: digests. A channel's schedule (no row = off); last_due_at is the end of the last period a digest was queued
-- for (or found empty), so a period is queued once however often it is tried. The changes a digest channel collects
-- are its outbox rows marked external_id = 'digest'; digest_id is the digest row that took them (NULL: still to come).
CREATE TABLE channel_digests (
    platform     text NOT NULL,
    channel_id   text NOT NULL,
    schedule     text NOT NULL,
    set_by       text NOT NULL,
    set_at       timestamptz NOT NULL,
    last_due_at  timestamptz NULL,
    PRIMARY KEY (platform, channel_id)
);

ALTER TABLE alert_outbox ADD COLUMN digest_id text NULL;
CREATE INDEX ix_alert_outbox_collected ON alert_outbox (platform, channel_id, seq) WHERE external_id = 'digest' AND digest_id IS NULL;
