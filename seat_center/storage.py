"""Center storage (SQLAlchemy Core: SQLite by default; the tables, in `schema`, are portable).

A center that trusts no site and never loses an update: a site's push is judged against the
ticket contract and the center's own conflict bookkeeping (`ticket_ops`, `push`); every write
of an entity is compare-and-set on its version, in one transaction with its change-log entry
(`entity_rows`); each op's answer is kept with its op id. `center_update` is the center's own
change (dispatch, status ...), validated by the contract and naming its operator."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from typing import Any

from sqlalchemy import create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from seat_center import entity_rows, stats_records
from seat_center.push import apply_batch  # noqa: F401  (re-exported: the app pushes through it)
from seat_center.schema import (  # noqa: F401  (re-exported: storage.sites, storage.now ...)
    applied_ops,
    calls,
    changes,
    drill_results,
    entities,
    metadata,
    now,
    sites,
    upgrade,
)
from seat_center.ticket_ops import MAX_VERSION
from seat_console.core import ticket_contract


class ChangeRefused(ValueError):
    """The contract refuses a center-side change; `errors` maps field -> reason (no values)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("change refused: " + ", ".join(sorted(errors)))
        self.errors = dict(errors)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_engine(url: str) -> Engine:
    """SQLite file path or URL, or postgresql://... (psycopg 3)."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    elif url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        if engine.url.database and engine.url.database != ":memory:":
            from seat_console.core.private_files import private_database

            private_database(engine.url.database)  # citizens' data: owner-only (+ WAL, SHM)

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA busy_timeout = 10000")
    metadata.create_all(engine)
    upgrade(engine)  # columns an older center lacks
    stats_records.backfill(engine)  # the statistics' tables of an older center
    return engine


def add_site(engine: Engine, code: str) -> str:
    """Create a site (or renew its token); the token is returned once and stored hashed."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        exists = connection.execute(select(sites.c.code).where(sites.c.code == code)).first()
        if exists:
            connection.execute(update(sites).where(sites.c.code == code)
                               .values(token_hash=hash_token(token)))
        else:
            connection.execute(insert(sites).values(code=code, token_hash=hash_token(token),
                                                    created_at=now()))
    return token


def site_for_token(connection: Connection, code: str, token: str) -> bool:
    row = connection.execute(select(sites.c.token_hash).where(sites.c.code == code)).first()
    return bool(row) and hmac.compare_digest(row[0], hash_token(token))


def center_update(engine: Engine, number: str, fields: dict[str, Any], *,
                  operator: str) -> int:
    """A center-side change of a ticket (dispatch, status, 督办 ...), logged for its site to pull
    with its operator; the change-log seq. `fields` are typed values (a CLI parses text with
    ticket_contract.parse_text). Raises KeyError(number) for an unknown ticket and
    ChangeRefused when the contract refuses (unknown or site-owned field, bad value, a lifecycle
    step not allowed from the ticket's status). Compare-and-set: a lost race is judged again
    on the row as it now is. The change goes to the ticket history (statistics) in the same
    transaction."""
    fields = dict(fields)
    if not fields:
        raise ChangeRefused({"fields": "nothing to change"})
    with engine.begin() as connection:
        for _ in range(entity_rows.MAX_RACES):
            found = entity_rows.ticket_by_number(connection, number)
            if found is None:
                raise KeyError(number)
            key, row = found
            errors = ticket_contract.center_change_errors(row.data, fields)
            if row.version >= MAX_VERSION:
                errors["version"] = "version limit reached"
            if errors:
                raise ChangeRefused(errors)
            read = row.version
            row.data.update(fields)
            row.version += 1
            row.data["version"] = row.version
            for name in fields:
                row.center_versions[name] = row.logged_versions[name] = row.version
            if entity_rows.save(connection, key, row, read):
                stats_records.record_tickets(connection, [stats_records.Change(
                    key[1], row.version, "center", operator, fields)], {key[1]: row})
                return entity_rows.append_changes(connection, [{
                    "site": row.site, "entity": "ticket", "entity_id": key[1],
                    "payload": {**fields, "version": row.version}, "operator": operator}])[0]
    raise RuntimeError(f"ticket change lost the compare-and-set race {entity_rows.MAX_RACES} times")


def changes_after(connection: Connection, site: str, cursor: int, limit: int) -> list[dict[str, Any]]:
    rows = connection.execute(select(changes).where(changes.c.site == site)
                              .where(changes.c.seq > cursor).order_by(changes.c.seq).limit(limit))
    return [{"seq": r.seq, "entity": r.entity, "entity_id": r.entity_id,
             "payload": json.loads(r.payload), "operator": r.operator or "center"} for r in rows]


def current_cursor(connection: Connection, site: str) -> int:
    """The seq of the site's latest change (0: none): a restored site pulls after it."""
    return int(connection.execute(select(func.coalesce(func.max(changes.c.seq), 0))
                                  .where(changes.c.site == site)).scalar_one())


def restore_page(connection: Connection, site: str, after_id: str,
                 limit: int) -> list[dict[str, Any]]:
    """The site's tickets with ids > after_id, ordered by id: {id, number, version, data}."""
    rows = connection.execute(select(entities).where(entities.c.entity == "ticket")
                              .where(entities.c.site == site).where(entities.c.id > after_id)
                              .order_by(entities.c.id).limit(limit))
    return [{"id": r.id, "number": r.number, "version": r.version,
             "data": _public(json.loads(r.data))} for r in rows]


def _public(data: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in data.items() if not name.startswith("_")}


def drill_result_rows(engine: Engine, trainee_id: str | None = None) -> list[dict[str, Any]]:
    """The sites' drill results, oldest first: {site, id, trainee_id, scenario_id, score, max,
    finished_at, items} (no ticket data: a drill's caller is scripted)."""
    query = select(drill_results).order_by(drill_results.c.finished_at, drill_results.c.id)
    if trainee_id is not None:
        query = query.where(drill_results.c.trainee_id == trainee_id)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    out = []
    for row in rows:
        data = json.loads(row.data)
        out.append({"site": row.site, "id": row.id, "trainee_id": row.trainee_id,
                    "scenario_id": row.scenario_id, "scenario_title": data.get("scenario_title"),
                    "score": data.get("score"), "max": data.get("max"),
                    "finished_at": row.finished_at, "items": data.get("items")})
    return out


def export_rows(engine: Engine, masked: bool = False) -> list[dict[str, Any]]:
    """Every ticket; `masked` (audits) masks the personal data of every one of them."""
    from seat_center.export_mask import mask_ticket

    with engine.connect() as connection:
        rows = connection.execute(select(entities).where(entities.c.entity == "ticket")
                                  .order_by(entities.c.site, entities.c.number))
        out = [{**_public(json.loads(r.data)), "site": r.site, "number": r.number, "id": r.id,
                "version": r.version} for r in rows]
    return [mask_ticket(row) for row in out] if masked else out
