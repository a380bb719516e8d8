-- Issue 13: when a mute ends (expiry or unmute) the channel gets one summary of what was withheld meanwhile.
-- summarized_at marks that the summary was queued (or that there was nothing to summarize); an unmute ends a mute by
-- moving muted_until to its time, so ended mutes stay until summarized.
ALTER TABLE case_mutes ADD COLUMN summarized_at TEXT NULL;
CREATE INDEX ix_case_mutes_until ON case_mutes (muted_until);
