-- Issue 12: statuses set by hand (/case update, source 'manual'). feed_status is the status the case's feed last gave
-- while a manual status stands (NULL: the status is the feed's own); history rows say who set a status, where, and why.
ALTER TABLE cases ADD COLUMN feed_status text NULL;
ALTER TABLE status_history ADD COLUMN set_by text NULL;
ALTER TABLE status_history ADD COLUMN set_on text NULL;
ALTER TABLE status_history ADD COLUMN note text NULL;
ALTER TABLE status_history ADD COLUMN link text NULL;
