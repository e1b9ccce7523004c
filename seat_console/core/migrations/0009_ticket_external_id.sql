-- Schema v9: the channel's own message id of a ticket from another channel (`ticket add`),
-- unique so that re-running an interrupted batch never stores a ticket twice (NULL: none).
ALTER TABLE ticket ADD COLUMN external_id VARCHAR;
CREATE UNIQUE INDEX ix_ticket_external_id ON ticket (external_id);
