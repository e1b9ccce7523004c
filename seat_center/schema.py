"""The center's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL), the columns a
center created by an older release gets added on open, and the time stamp written in them.

applied_ops keeps every op's answer with its op id (a retried op gets its original answer);
entities holds the sites' tickets with, per center-owned field, the version at which the
center last changed it (`center_versions`) and at which the change log last carried it
(`logged_versions`); changes is the change log the sites pull after their cursor, each entry
naming its operator.

The statistics (`seat-center stats`, seat_center/stats_records.py) read three more tables,
written by the same transactions as the entities: ticket_history (every applied change of a
ticket: the site's ops and the center's own), ticket_facts (one row per ticket: the figures the
indicators test, as plain columns) and call_facts (one row per call record); and qa_results,
the sites' transcript QA results, as they are stored (write_once.py).

A table an older center lacks is created on open (metadata.create_all in storage.open_engine);
`upgrade` adds the columns it lacks."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import (BigInteger, Column, Index, Integer, MetaData, String, Table, Text, inspect,
                        text)
from sqlalchemy.engine import Engine

from seat_console.core import clock

metadata = MetaData()
sites = Table("sites", metadata, Column("code", String, primary_key=True),
              Column("token_hash", String, nullable=False), Column("created_at", String, nullable=False))
applied_ops = Table("applied_ops", metadata, Column("op_id", String, primary_key=True),
                    Column("site", String, nullable=False), Column("entity", String, nullable=False),
                    Column("entity_id", String, nullable=False), Column("result", String, nullable=False),
                    Column("applied_at", String, nullable=False),
                    Column("answer", Text))  # JSON of the op's first answer
entities = Table("entities", metadata, Column("entity", String, primary_key=True),
                 Column("id", String, primary_key=True), Column("site", String, nullable=False),
                 Column("number", String, index=True), Column("version", Integer, nullable=False),
                 Column("data", Text, nullable=False), Column("updated_at", String, nullable=False),
                 Column("center_versions", Text),  # JSON {field: version}
                 Column("logged_versions", Text))  # JSON {field: version}
# Call records of the sites (entity "call"): written once, never updated, kept apart from tickets.
calls = Table("calls", metadata, Column("id", String, primary_key=True),
              Column("site", String, nullable=False), Column("outcome", String, nullable=False),
              Column("ticket_id", String), Column("started_at", String, nullable=False),
              Column("data", Text, nullable=False), Column("received_at", String, nullable=False))
# Drill results of the sites' trainees (entity "drill_result"): written once, for a trainer who
# oversees several sites; never mixed with tickets or the statistics.
drill_results = Table("drill_results", metadata, Column("id", String, primary_key=True),
                      Column("site", String, nullable=False),
                      Column("trainee_id", String, nullable=False),
                      Column("scenario_id", String, nullable=False),
                      Column("finished_at", String, nullable=False),
                      Column("data", Text, nullable=False),
                      Column("received_at", String, nullable=False))
changes = Table("changes", metadata, Column("seq", Integer, primary_key=True, autoincrement=True),
                Column("site", String, nullable=False), Column("entity", String, nullable=False),
                Column("entity_id", String, nullable=False), Column("payload", Text, nullable=False),
                Column("created_at", String, nullable=False),
                Column("operator", String))  # who made the change (an operator or a site)

# Stamps the statistics compare and range over: China-time ISO text of one fixed form
# (2026-11-25T10:00:00.000+08:00), so text order is time order; byte order on PostgreSQL.
Stamp = String().with_variant(String(collation="C"), "postgresql")
Serial = BigInteger().with_variant(Integer, "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid


def _code(name: str) -> Column:
    return Column(name, String, nullable=False, default="")


# Every applied change of a ticket, oldest first per ticket by `version` (the entity's version
# after it): kind create (the full payload), update (a site's fields), center (an operator's
# fields) or backfill (the row as an older center held it when this table was added). `status`
# and `deadline` are the values the change set (sets_deadline = 1 when it set the deadline,
# possibly to null); `at` is when it happened (the site's stamp, else the center's clock).
ticket_history = Table(
    "ticket_history", metadata, Column("id", Serial, primary_key=True, autoincrement=True),
    Column("site", String, nullable=False), Column("ticket_id", String, nullable=False),
    Column("version", Integer, nullable=False), Column("at", Stamp, nullable=False),
    Column("kind", String, nullable=False), Column("actor", String, nullable=False),
    Column("status", String), Column("sets_deadline", Integer, nullable=False, default=0),
    Column("deadline", Stamp), Column("changes", Text, nullable=False),
    Index("ticket_history_ticket", "ticket_id", "version"))
# One row per ticket: the fields the indicators test as columns, rewritten with its entity
# row (no JSON is read to compute statistics), and the nodes of its handling (the site's
# ticket_node: first 转办 / 办结 ... with the deadline in force then), derived from
# ticket_history one change at a time in the same transaction (stats_records.py).
ticket_facts = Table(
    "ticket_facts", metadata, Column("id", String, primary_key=True),
    Column("site", String, nullable=False), Column("version", Integer, nullable=False),
    Column("created_at", Stamp, nullable=False),
    *(_code(name) for name in ("agent_id", "department", "domain", "channel", "status",
                               "disposition", "request_type", "satisfaction", "first_contacted",
                               "dissatisfaction_reason")),
    Column("supervised", Integer, nullable=False, default=0),
    Column("linked", Integer, nullable=False, default=0),
    Column("reopen_count", Integer, nullable=False, default=0),
    Column("typing_cpm", Integer, nullable=False, default=0),
    Column("call_started_at", String), Column("first_text_at", String),
    Column("callback_at", String), Column("submit_seconds", BigInteger),
    Column("first_text_seconds", BigInteger),
    # the nodes (null: not reached; *_at_intake 1 when reached at creation, null: unknown)
    Column("transferred_at", Stamp), Column("transferred_at_intake", Integer),
    Column("transfer_deadline", Stamp), Column("in_progress_at", Stamp),
    Column("closed_at", Stamp), Column("closed_at_intake", Integer),
    Column("closed_deadline", Stamp), Column("callback_done_at", Stamp),
    Column("archived_at", Stamp), Column("reopened_at", Stamp), Column("status_at", Stamp),
    Column("deadline", Stamp), Column("deadline_at", Stamp),
    Index("ticket_facts_created", "created_at"))
# One row per call record (written once, like `calls`), with what the statistics read of the
# call's ticket (of the same site: its department, domain, linked) copied in and rewritten with
# the ticket, so counting calls joins nothing.
call_facts = Table(
    "call_facts", metadata, Column("id", String, primary_key=True),
    Column("site", String, nullable=False), Column("started_at", Stamp, nullable=False),
    *(_code(name) for name in ("agent_id", "channel", "outcome")),
    Column("answered_at", String), Column("ticket_id", String),
    Column("from_telephony", Integer, nullable=False, default=0),
    Column("call_seconds", BigInteger), Column("ring_seconds", BigInteger),
    Column("wait_seconds", BigInteger),
    Column("ticket_department", String), Column("ticket_domain", String),
    Column("ticket_linked", Integer),  # null: no such ticket (yet)
    Index("call_facts_started", "started_at"), Index("call_facts_ticket", "ticket_id"))

# Transcript QA results of the sites (entity "qa_result", 质检结果): written once, read by the
# statistics (话术规范度, 质检合格率, 每百次来电服务禁语数) as plain columns: score and base (points),
# passed (0/1) and forbidden_count (the findings of kind forbidden, status violated: computed
# when stored, as the site's records.py counts them); checked_at in the statistics' stamp form.
# call_id names a call record of the same site (null: none). Never the transcript text: the
# site does not keep it either.
qa_results = Table(
    "qa_results", metadata, Column("id", String, primary_key=True),
    Column("site", String, nullable=False), Column("agent_id", String, nullable=False),
    Column("checked_at", Stamp, nullable=False), Column("call_kind", String, nullable=False),
    Column("call_id", String), Column("score", Integer, nullable=False),
    Column("base", Integer, nullable=False), Column("passed", Integer, nullable=False),
    Column("forbidden_count", Integer, nullable=False), Column("data", Text, nullable=False),
    Column("received_at", String, nullable=False),
    Index("qa_results_checked", "checked_at"))

ADDED_COLUMNS = {"applied_ops": ("answer",), "entities": ("center_versions", "logged_versions"),
                 "changes": ("operator",)}


def now() -> str:
    """UTC stamp from the console's clock, so SEAT_CONSOLE_CLOCK_AT moves the center too."""
    return clock.now().astimezone(timezone.utc).isoformat(timespec="milliseconds")


def upgrade(engine: Engine) -> None:
    """Add the columns a center database of an older release lacks (all nullable text)."""
    found = inspect(engine)
    with engine.begin() as connection:
        for table, names in ADDED_COLUMNS.items():
            have = {column["name"] for column in found.get_columns(table)}
            for name in names:
                if name not in have:
                    kind = metadata.tables[table].c[name].type.compile(engine.dialect)
                    connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
