-- Schema v5: referrals of a ticket to a convenience-service enterprise, with both callbacks.
CREATE TABLE referral (
	id VARCHAR NOT NULL,
	ticket_id VARCHAR NOT NULL,
	directory_id VARCHAR NOT NULL,
	enterprise VARCHAR NOT NULL,
	phone VARCHAR NOT NULL,
	created_at VARCHAR NOT NULL,
	enterprise_check_from VARCHAR NOT NULL,
	enterprise_check_by VARCHAR NOT NULL,
	enterprise_checked_at VARCHAR,
	citizen_followup_from VARCHAR NOT NULL,
	citizen_followup_by VARCHAR NOT NULL,
	citizen_followed_up_at VARCHAR,
	PRIMARY KEY (id),
	FOREIGN KEY(ticket_id) REFERENCES ticket (id)
);
CREATE INDEX ix_referral_ticket_id ON referral (ticket_id);
