-- Schema v1: callers, tickets with their audit trail and outbox, drafts, numbering, sync state.
CREATE TABLE caller (
	phone VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	address VARCHAR NOT NULL,
	first_seen_at VARCHAR NOT NULL,
	updated_at VARCHAR NOT NULL,
	call_count INTEGER NOT NULL,
	PRIMARY KEY (phone)
);
CREATE TABLE ticket (
	id VARCHAR NOT NULL,
	number VARCHAR NOT NULL,
	site_code VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	channel VARCHAR NOT NULL,
	request_type VARCHAR NOT NULL,
	domain VARCHAR NOT NULL,
	confidential BOOLEAN NOT NULL,
	urgency VARCHAR NOT NULL,
	caller_name VARCHAR NOT NULL,
	caller_phone VARCHAR NOT NULL,
	caller_address VARCHAR NOT NULL,
	content VARCHAR NOT NULL,
	incident_time VARCHAR NOT NULL,
	incident_place VARCHAR NOT NULL,
	course VARCHAR NOT NULL,
	current_state VARCHAR NOT NULL,
	demand VARCHAR NOT NULL,
	disposition VARCHAR NOT NULL,
	department VARCHAR NOT NULL,
	co_departments JSON NOT NULL,
	dispatch_opinion VARCHAR NOT NULL,
	deadline VARCHAR,
	reply VARCHAR NOT NULL,
	kb_article_id VARCHAR,
	linked_ticket_ids JSON NOT NULL,
	agent_id VARCHAR NOT NULL,
	call_started_at VARCHAR,
	created_at VARCHAR NOT NULL,
	updated_at VARCHAR NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_ticket_number ON ticket (number);
CREATE INDEX ix_ticket_caller_phone ON ticket (caller_phone);
CREATE INDEX ix_ticket_status ON ticket (status);
CREATE INDEX ix_ticket_site_code ON ticket (site_code);
CREATE TABLE ticket_event (
	id VARCHAR NOT NULL,
	ticket_id VARCHAR NOT NULL,
	version INTEGER NOT NULL,
	at VARCHAR NOT NULL,
	actor VARCHAR NOT NULL,
	site_code VARCHAR NOT NULL,
	action VARCHAR NOT NULL,
	changes JSON NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(ticket_id) REFERENCES ticket (id)
);
CREATE INDEX ix_ticket_event_ticket_id ON ticket_event (ticket_id);
-- The audit trail is append-only.
CREATE TRIGGER ticket_event_no_update BEFORE UPDATE ON ticket_event
BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END;
CREATE TRIGGER ticket_event_no_delete BEFORE DELETE ON ticket_event
BEGIN SELECT RAISE(ABORT, 'ticket_event is append-only'); END;
CREATE TABLE outbox (
	seq INTEGER NOT NULL,
	op_id VARCHAR NOT NULL,
	entity VARCHAR NOT NULL,
	entity_id VARCHAR NOT NULL,
	op VARCHAR NOT NULL,
	base_version INTEGER NOT NULL,
	payload JSON NOT NULL,
	created_at VARCHAR NOT NULL,
	sent_at VARCHAR,
	attempts INTEGER NOT NULL,
	last_error VARCHAR NOT NULL,
	PRIMARY KEY (seq),
	UNIQUE (op_id)
);
CREATE INDEX ix_outbox_sent_at ON outbox (sent_at);
CREATE INDEX ix_outbox_entity_id ON outbox (entity_id);
CREATE TABLE draft (
	slot VARCHAR NOT NULL,
	fields JSON NOT NULL,
	call_started_at VARCHAR,
	updated_at VARCHAR NOT NULL,
	PRIMARY KEY (slot)
);
CREATE TABLE ticket_sequence (
	id INTEGER NOT NULL,
	site_code VARCHAR NOT NULL,
	day VARCHAR NOT NULL,
	last INTEGER NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (site_code, day)
);
CREATE TABLE sync_state (
	"key" VARCHAR NOT NULL,
	value VARCHAR NOT NULL,
	PRIMARY KEY ("key")
);
