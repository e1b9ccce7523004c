-- Schema v11: transcript QA results (质检结果) of `seat-console qa`: who was checked, the call it
-- was (when known), the score against its base, whether it passed the pass mark of qa_rules.yaml
-- (质检合格) and the findings moment by moment, for the 话术规范度 and 质检合格率 statistics
-- (12345 quality spec 6.3.2, 6.3.4). The transcript text is never stored: it holds citizens' data.
CREATE TABLE qa_result (
	id VARCHAR NOT NULL,
	site_code VARCHAR NOT NULL,
	agent_id VARCHAR NOT NULL,
	call_id VARCHAR,
	transcript_name VARCHAR NOT NULL,
	call_kind VARCHAR NOT NULL,
	score INTEGER NOT NULL,
	base INTEGER NOT NULL,
	pass_mark INTEGER NOT NULL,
	passed BOOLEAN NOT NULL,
	findings JSON NOT NULL,
	checked_at VARCHAR NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(call_id) REFERENCES call (id)
);
CREATE INDEX ix_qa_result_checked_at ON qa_result (checked_at);
CREATE INDEX ix_qa_result_agent_id ON qa_result (agent_id);
CREATE INDEX ix_qa_result_call_id ON qa_result (call_id);
