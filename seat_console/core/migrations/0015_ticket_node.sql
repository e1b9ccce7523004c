-- Schema v15: the nodes of each ticket's handling, derived from its event history, for the
-- statistics (12345 quality spec 6.2.4 分派及时率, 6.6.2 按期办结率 / 总办结率, 6.4.3 回访完成率).
--
-- The ticket.deadline column is overwritten (转办 sets the handling deadline, 退回重办 a new one),
-- so "the deadline in force at each moment" is rebuilt from ticket_event. Doing that per ticket at
-- query time (correlated subqueries over json_extract) does not scale to a year of a large city's
-- tickets: ticket_node keeps, per ticket, what those subqueries found:
--   transferred_at / _version   the first 转办 (version 1: at intake)
--   transfer_deadline           the deadline in force just before it (the transfer deadline)
--   transferred_in_time         1 when it came at intake or no later than that deadline, 0 when
--                               later, NULL without a deadline before it (分派及时)
--   closed_at / _version        the first 办结 (version 1: at intake)
--   closed_deadline             the deadline in force at it (set at or before that event)
--   closed_in_time              1 when no later than that deadline, 0 when later, NULL at
--                               intake or without a deadline (按期办结)
--   in_progress_at, callback_done_at, archived_at, reopened_at   the first step to each status
--   status_at                   the last event that changed the status
--   deadline / deadline_at      the deadline set by the last event that changed it, and when
-- It is written by a trigger on ticket_event, so it is derived from the event history in the
-- same transaction as every event, whichever code writes it (tickets.py, lifecycle.py, sync).
-- Existing history is replayed below. The statistics (core/stats/records.py) rebuild the state
-- at the end of a period from these nodes, and go back to ticket_event only for the rare ticket
-- whose history crosses that moment in a way the nodes cannot answer.
CREATE INDEX ix_ticket_event_ticket_version ON ticket_event (ticket_id, version);
CREATE TABLE ticket_node (
	ticket_id VARCHAR NOT NULL,
	transferred_at VARCHAR,
	transferred_version INTEGER,
	transfer_deadline VARCHAR,
	transferred_in_time INTEGER,
	in_progress_at VARCHAR,
	closed_at VARCHAR,
	closed_version INTEGER,
	closed_deadline VARCHAR,
	closed_in_time INTEGER,
	callback_done_at VARCHAR,
	archived_at VARCHAR,
	reopened_at VARCHAR,
	status_at VARCHAR,
	deadline VARCHAR,
	deadline_at VARCHAR,
	PRIMARY KEY (ticket_id)
) WITHOUT ROWID;
-- Replay of the history so far, in the order the events were written (version, then insertion):
-- the same nodes the trigger below derives one event at a time.
INSERT INTO ticket_node (ticket_id, transferred_at, transferred_version, transfer_deadline,
                         transferred_in_time, in_progress_at, closed_at, closed_version,
                         closed_deadline, closed_in_time, callback_done_at, archived_at,
                         reopened_at, status_at, deadline, deadline_at)
WITH ev AS (
	SELECT ticket_id, version, at, rowid AS seq,
	       CASE WHEN json_type(changes, '$.status') IS NOT NULL
	            THEN json_extract(changes, '$.status[1]') END AS status,
	       json_type(changes, '$.deadline') IS NOT NULL AS sets_deadline,
	       json_extract(changes, '$.deadline[1]') AS new_deadline
	FROM ticket_event
	WHERE json_type(changes, '$.status') IS NOT NULL
	   OR json_type(changes, '$.deadline') IS NOT NULL
), numbered AS (
	SELECT *, SUM(sets_deadline) OVER (PARTITION BY ticket_id ORDER BY version, seq
	                                   ROWS UNBOUNDED PRECEDING) AS deadline_group
	FROM ev
), in_force AS (
	SELECT *, FIRST_VALUE(new_deadline) OVER (PARTITION BY ticket_id, deadline_group
	                                          ORDER BY version, seq) AS deadline_then
	FROM numbered
), placed AS (
	SELECT *,
	       LAG(deadline_then) OVER (PARTITION BY ticket_id ORDER BY version, seq) AS deadline_before,
	       ROW_NUMBER() OVER (PARTITION BY ticket_id, status ORDER BY version, seq) AS nth,
	       ROW_NUMBER() OVER (PARTITION BY ticket_id, status IS NULL
	                          ORDER BY version DESC, seq DESC) AS last_status,
	       ROW_NUMBER() OVER (PARTITION BY ticket_id, sets_deadline
	                          ORDER BY version DESC, seq DESC) AS last_deadline
	FROM in_force
)
SELECT ticket_id,
       MAX(CASE WHEN status = 'transferred' AND nth = 1 THEN at END),
       MAX(CASE WHEN status = 'transferred' AND nth = 1 THEN version END),
       MAX(CASE WHEN status = 'transferred' AND nth = 1 THEN deadline_before END),
       MAX(CASE WHEN status = 'transferred' AND nth = 1 THEN
                CASE WHEN version = 1 THEN 1
                     ELSE julianday(at) <= julianday(deadline_before) END END),
       MAX(CASE WHEN status = 'in_progress' AND nth = 1 THEN at END),
       MAX(CASE WHEN status = 'closed' AND nth = 1 THEN at END),
       MAX(CASE WHEN status = 'closed' AND nth = 1 THEN version END),
       MAX(CASE WHEN status = 'closed' AND nth = 1 THEN deadline_then END),
       MAX(CASE WHEN status = 'closed' AND nth = 1 THEN
                CASE WHEN version = 1 THEN NULL
                     ELSE julianday(at) <= julianday(deadline_then) END END),
       MAX(CASE WHEN status = 'callback_done' AND nth = 1 THEN at END),
       MAX(CASE WHEN status = 'archived' AND nth = 1 THEN at END),
       MAX(CASE WHEN status = 'reopened' AND nth = 1 THEN at END),
       MAX(CASE WHEN status IS NOT NULL AND last_status = 1 THEN at END),
       MAX(CASE WHEN sets_deadline AND last_deadline = 1 THEN new_deadline END),
       MAX(CASE WHEN sets_deadline AND last_deadline = 1 THEN at END)
FROM placed
GROUP BY ticket_id;
-- One event at a time: every SET sees the node as it was before this event, so the deadline
-- "just before" a 转办 is the old one and the deadline "at" a 办结 includes one set by it.
CREATE TRIGGER ticket_event_node AFTER INSERT ON ticket_event
WHEN json_type(NEW.changes, '$.status') IS NOT NULL
  OR json_type(NEW.changes, '$.deadline') IS NOT NULL
BEGIN
	INSERT OR IGNORE INTO ticket_node (ticket_id) VALUES (NEW.ticket_id);
	UPDATE ticket_node SET
		transferred_at = CASE WHEN transferred_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'transferred'
			THEN NEW.at ELSE transferred_at END,
		transferred_version = CASE WHEN transferred_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'transferred'
			THEN NEW.version ELSE transferred_version END,
		transfer_deadline = CASE WHEN transferred_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'transferred'
			THEN deadline ELSE transfer_deadline END,
		transferred_in_time = CASE WHEN transferred_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'transferred'
			THEN CASE WHEN NEW.version = 1 THEN 1
			          ELSE julianday(NEW.at) <= julianday(deadline) END
			ELSE transferred_in_time END,
		in_progress_at = CASE WHEN in_progress_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'in_progress'
			THEN NEW.at ELSE in_progress_at END,
		closed_at = CASE WHEN closed_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'closed'
			THEN NEW.at ELSE closed_at END,
		closed_version = CASE WHEN closed_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'closed'
			THEN NEW.version ELSE closed_version END,
		closed_deadline = CASE WHEN closed_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'closed'
			THEN CASE WHEN json_type(NEW.changes, '$.deadline') IS NOT NULL
			          THEN json_extract(NEW.changes, '$.deadline[1]') ELSE deadline END
			ELSE closed_deadline END,
		closed_in_time = CASE WHEN closed_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'closed'
			THEN CASE WHEN NEW.version = 1 THEN NULL
			          ELSE julianday(NEW.at) <= julianday(
			               CASE WHEN json_type(NEW.changes, '$.deadline') IS NOT NULL
			                    THEN json_extract(NEW.changes, '$.deadline[1]') ELSE deadline END)
			          END
			ELSE closed_in_time END,
		callback_done_at = CASE WHEN callback_done_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'callback_done'
			THEN NEW.at ELSE callback_done_at END,
		archived_at = CASE WHEN archived_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'archived'
			THEN NEW.at ELSE archived_at END,
		reopened_at = CASE WHEN reopened_at IS NULL
			AND json_extract(NEW.changes, '$.status[1]') = 'reopened'
			THEN NEW.at ELSE reopened_at END,
		status_at = CASE WHEN json_type(NEW.changes, '$.status') IS NOT NULL
			THEN NEW.at ELSE status_at END,
		deadline = CASE WHEN json_type(NEW.changes, '$.deadline') IS NOT NULL
			THEN json_extract(NEW.changes, '$.deadline[1]') ELSE deadline END,
		deadline_at = CASE WHEN json_type(NEW.changes, '$.deadline') IS NOT NULL
			THEN NEW.at ELSE deadline_at END
	WHERE ticket_id = NEW.ticket_id;
END;
