-- Schema v12: cases the live checks got wrong, recorded by the agent (漏检/误报反馈): a forbidden
-- phrase, an out-of-scope matter or an emergency the console missed, or flagged where there was
-- none. Whoever maintains scripts_phrases/ exports them (`seat-console check-reports`) and turns
-- them into rules and labelled cases. The text may hold citizens' data: it stays in this file
-- and leaves it masked.
CREATE TABLE check_report (
	id VARCHAR NOT NULL,
	site_code VARCHAR NOT NULL,
	agent_id VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	field VARCHAR NOT NULL,
	text VARCHAR NOT NULL,
	note VARCHAR NOT NULL,
	created_at VARCHAR NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_check_report_created_at ON check_report (created_at);
