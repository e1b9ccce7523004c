"""Drill results kept per trainee (工号), table drill_result of the drill database: what the
report, the console's end-of-drill screen and the trainer's progress chart read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.drills.actions import Action, actions_jsonl
from seat_console.core.drills.scoring import DrillScore
from seat_console.core.ids import uuid7
from seat_console.core.models import OutboxOp

DRILL_DATABASE = "drill.db"  # beside hotline.db; never synced, never mixed with real tickets
_COLUMNS = ("id, site_code, trainee_id, scenario_id, scenario_title, score, max_score, items, "
            "run, started_at, finished_at")


def drill_database_path(database: Path) -> Path:
    """The drill database for the console whose real database is `database`."""
    return database.parent / DRILL_DATABASE


@dataclass(frozen=True)
class DrillResult:
    id: str
    site_code: str
    trainee_id: str
    scenario_id: str
    scenario_title: str
    score: float
    max_score: float
    items: list[dict[str, Any]]
    run: str
    started_at: str
    finished_at: str

    @property
    def percent(self) -> float:
        return round(100 * self.score / self.max_score, 1) if self.max_score else 0.0

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "site_code": self.site_code, "trainee_id": self.trainee_id,
                "scenario_id": self.scenario_id, "scenario_title": self.scenario_title,
                "score": self.score, "max": self.max_score, "percent": self.percent,
                "items": self.items, "started_at": self.started_at,
                "finished_at": self.finished_at}


def store_result(db: Database, score: DrillScore, *, title: str, trainee_id: str,
                 site_code: str, started_at: str, actions: list[Action],
                 send_from: Database | None = None) -> DrillResult:
    """Keep the result in the drill database `db`; with `send_from` (the site's hotline.db),
    also queue it there for the center (entity drill_result, sent by the ordinary sync: the
    drill database itself never syncs). The run (what the trainee typed) stays on the site."""
    result = DrillResult(uuid7(), site_code, trainee_id, score.scenario, title, score.score,
                         score.max, [i.as_json() for i in score.items], actions_jsonl(actions),
                         started_at, clock.now_iso())
    row = {**result.__dict__, "items": json.dumps(result.items, ensure_ascii=False)}
    with db.write() as session:
        session.connection().execute(
            sql(f"INSERT INTO drill_result ({_COLUMNS}) VALUES (:id, :site_code, :trainee_id, "
                ":scenario_id, :scenario_title, :score, :max_score, :items, :run, :started_at, "
                ":finished_at)"), row)
    if send_from is not None:
        with send_from.write() as session:
            session.add(OutboxOp(entity="drill_result", entity_id=result.id, op="create",
                                 base_version=0, payload=result.as_json(),
                                 created_at=result.finished_at))
    return result


def results(db: Database, *, trainee_id: str | None = None,
            scenario_id: str | None = None) -> list[DrillResult]:
    """Finished drills, oldest first, optionally of one trainee and/or one scenario."""
    where, params = [], {}
    if trainee_id is not None:
        where.append("trainee_id = :trainee_id")
        params["trainee_id"] = trainee_id
    if scenario_id is not None:
        where.append("scenario_id = :scenario_id")
        params["scenario_id"] = scenario_id
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    with db.read() as session:
        rows = session.connection().execute(
            sql(f"SELECT {_COLUMNS} FROM drill_result{clause} ORDER BY finished_at, id"),
            params).all()
    return [DrillResult(*row[:7], json.loads(row[7]), *row[8:]) for row in rows]
