-- Schema v10: a sync that cannot wedge. An op the center refused for good is marked failed (and
-- skipped from then on); a sync issue names the ticket, the field, both values (conflicts) and
-- when it was resolved, and how.
ALTER TABLE outbox ADD COLUMN failed_at VARCHAR;
ALTER TABLE sync_issue ADD COLUMN ticket_number VARCHAR NOT NULL DEFAULT '';
ALTER TABLE sync_issue ADD COLUMN field VARCHAR NOT NULL DEFAULT '';
ALTER TABLE sync_issue ADD COLUMN site_value JSON;
ALTER TABLE sync_issue ADD COLUMN center_value JSON;
ALTER TABLE sync_issue ADD COLUMN resolved_at VARCHAR;
ALTER TABLE sync_issue ADD COLUMN resolution VARCHAR NOT NULL DEFAULT '';
CREATE INDEX ix_sync_issue_resolved_at ON sync_issue (resolved_at);
