-- Issue 11: the W3C trace context (traceparent) of the sync that created an alert row, so its delivery joins the
-- document's trace even when another instance or a restarted process sends it. Null for reports and older rows.
ALTER TABLE alert_outbox ADD COLUMN trace_parent TEXT NULL;
