-- Schema v13: trainer drills. One row per drill a trainee finished (in the drill database,
-- drill.db, which never syncs tickets): the score by rule, never what was said (a drill's
-- caller is scripted, but a trainee may type anything). `run` is the agent's actions as JSON
-- Lines, for the trainer to replay.
CREATE TABLE drill_result (
	id VARCHAR NOT NULL,
	site_code VARCHAR NOT NULL,
	trainee_id VARCHAR NOT NULL,
	scenario_id VARCHAR NOT NULL,
	scenario_title VARCHAR NOT NULL,
	score FLOAT NOT NULL,
	max_score FLOAT NOT NULL,
	items VARCHAR NOT NULL,
	run VARCHAR NOT NULL,
	started_at VARCHAR NOT NULL,
	finished_at VARCHAR NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_drill_result_trainee ON drill_result (trainee_id, scenario_id, finished_at);
