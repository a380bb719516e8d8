-- Issue 13: flapping. A case with more than Alerts:FlapThreshold changes inside Alerts:FlapWindow gets a row here when
-- its "changing repeatedly" notice is queued; its further changes only move last_change_at (and add to statuses and
-- changes). When a whole window has passed since last_change_at, its "settled" alerts are queued and the row deleted,
-- in one transaction.
CREATE TABLE case_flaps (
    source          TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    since           TEXT NOT NULL,
    last_change_at  TEXT NOT NULL,
    statuses        TEXT NOT NULL,
    changes         INTEGER NOT NULL,
    PRIMARY KEY (source, case_id)
);
CREATE INDEX ix_case_flaps_last_change ON case_flaps (last_change_at);
