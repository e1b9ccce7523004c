-- Schema v4: facts about the imported knowledge base (content fingerprint, synonym table).
CREATE TABLE kb_meta (
	"key" VARCHAR NOT NULL,
	value VARCHAR NOT NULL,
	PRIMARY KEY ("key")
);
