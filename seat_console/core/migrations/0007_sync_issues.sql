-- Schema v7: what sync could not apply (conflicts, rejections), shown to the agent.
CREATE TABLE sync_issue (
	id VARCHAR NOT NULL,
	at VARCHAR NOT NULL,
	entity VARCHAR NOT NULL,
	entity_id VARCHAR NOT NULL,
	op_id VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	detail VARCHAR NOT NULL,
	PRIMARY KEY (id)
);
