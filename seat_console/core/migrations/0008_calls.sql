-- Schema v8: call records (来电记录): start, answer, end, agent and outcome of every call,
-- the ticket it produced or urged, or why it ended without one.
CREATE TABLE call (
	id VARCHAR NOT NULL,
	site_code VARCHAR NOT NULL,
	agent_id VARCHAR NOT NULL,
	channel VARCHAR NOT NULL,
	phone VARCHAR NOT NULL,
	started_at VARCHAR NOT NULL,
	answered_at VARCHAR,
	ended_at VARCHAR NOT NULL,
	outcome VARCHAR NOT NULL,
	no_ticket_reason VARCHAR NOT NULL,
	ticket_id VARCHAR,
	created_at VARCHAR NOT NULL,
	updated_at VARCHAR NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(ticket_id) REFERENCES ticket (id)
);
CREATE INDEX ix_call_phone ON call (phone);
CREATE INDEX ix_call_started_at ON call (started_at);
CREATE INDEX ix_call_ticket_id ON call (ticket_id);
