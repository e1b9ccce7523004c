"""The center's tables (SQLAlchemy Core, portable between SQLite and PostgreSQL), the columns a
center created by an older release gets added on open, and the time stamp written in them.

applied_ops keeps every op's answer with its op id (a retried op gets its original answer);
entities holds the sites' tickets with, per center-owned field, the version at which the
center last changed it (`center_versions`) and at which the change log last carried it
(`logged_versions`); changes is the change log the sites pull after their cursor, each entry
naming its operator."""

from __future__ import annotations

from datetime import timezone

from sqlalchemy import Column, Integer, MetaData, String, Table, Text, inspect, text
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
