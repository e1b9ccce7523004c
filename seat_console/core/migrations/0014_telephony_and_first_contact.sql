-- Schema v14: calls from telephony and the 先行联系 question of 回访.
-- call.cti_call_id: the telephone system's callId (generic CTI newCall/answer/hangup), '' for a
-- call the agent opened by hand; only calls that carry one count for 接通率 and ring/wait times.
-- An unanswered call from telephony is recorded with outcome 'missed' (no ticket, no reason).
-- ticket.first_contacted: at 回访 the citizen says whether the handling department contacted
-- them first (是 / 否, '' when not asked), for 先行联系率 (12345 quality spec 6.5.2).
ALTER TABLE call ADD COLUMN cti_call_id VARCHAR NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN first_contacted VARCHAR NOT NULL DEFAULT '';
CREATE INDEX ix_call_cti_call_id ON call (cti_call_id);
CREATE INDEX ix_ticket_created_at ON ticket (created_at);
