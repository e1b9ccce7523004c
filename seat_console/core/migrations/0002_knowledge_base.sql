-- Schema v2: knowledge base articles and convenience-service directory entries.
CREATE TABLE kb_article (
	id VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	title VARCHAR NOT NULL,
	body VARCHAR NOT NULL,
	keywords JSON NOT NULL,
	synonyms JSON NOT NULL,
	category VARCHAR NOT NULL,
	department VARCHAR NOT NULL,
	updated VARCHAR,
	extra JSON NOT NULL,
	source VARCHAR NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_kb_article_kind ON kb_article (kind);
CREATE INDEX ix_kb_article_category ON kb_article (category);
