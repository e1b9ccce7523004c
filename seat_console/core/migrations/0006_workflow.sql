-- Schema v6: ticket workflow: response deadline of non-phone channels, 三方通话 result,
-- 督办 (supervision), 回访 (callback) and the timing records for the quality indicators.
ALTER TABLE ticket ADD COLUMN response_due VARCHAR;
ALTER TABLE ticket ADD COLUMN three_way_result VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN supervised BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN supervision_reason VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN supervised_by VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN supervised_at VARCHAR;
ALTER TABLE ticket ADD COLUMN satisfaction VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN dissatisfaction_reason VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN callback_at VARCHAR;
ALTER TABLE ticket ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN first_text_at VARCHAR;
ALTER TABLE ticket ADD COLUMN typing_cpm INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_ticket_deadline ON ticket (deadline);
