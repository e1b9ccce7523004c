"""Stored transcript QA results (质检结果, table qa_result): one row per checked call, read back
by the statistics (话术规范度, 质检合格率: 12345 quality spec 6.3.2, 6.3.4).

A row holds who was checked, the call record it was (when given), the score, base and pass mark,
whether it passed and the findings moment by moment (rule, points lost, agent turn and line).
Never the transcript text: it holds citizens' data.

Each result is queued for the center in the same transaction (outbox op, entity qa_result,
create, payload as_json(): the stored row, no transcript text), sent by the ordinary sync; the
center counts the sites' QA indicators from them (seat_center/stats_records.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.errors import SeatConsoleError
from seat_console.core.ids import uuid7
from seat_console.core.models import OutboxOp
from seat_console.core.phrases.transcript_qa import QaReport

NAME_LIMIT = 200  # characters of the transcript name kept


class UnknownCall(SeatConsoleError):
    """--call names no call record of this database."""


@dataclass(frozen=True)
class QaResult:
    id: str
    site_code: str
    agent_id: str
    call_id: str | None
    transcript_name: str
    call_kind: str
    score: int
    base: int
    pass_mark: int
    passed: bool
    findings: list[dict[str, Any]]
    checked_at: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "site_code": self.site_code, "agent_id": self.agent_id,
                "call_id": self.call_id, "transcript_name": self.transcript_name,
                "call_kind": self.call_kind, "score": self.score, "base": self.base,
                "pass_mark": self.pass_mark, "passed": self.passed, "findings": self.findings,
                "checked_at": self.checked_at}


_COLUMNS = ("id, site_code, agent_id, call_id, transcript_name, call_kind, score, base, "
            "pass_mark, passed, findings, checked_at")


def _stored_findings(report: QaReport) -> list[dict[str, Any]]:
    """The findings as stored: moment, status, rule, points, where. Findings hold no transcript
    text by construction (see transcript_qa.Finding)."""
    return [finding.as_json() for finding in report.findings]


def store_result(db: Database, report: QaReport, agent_id: str, call_id: str | None, name: str,
                 *, site_code: str) -> QaResult:
    """Store one QA result, with its outbox op for the center (written once, like a call
    record); `call_id`, when given, must be a call record of this database."""
    if not agent_id.strip():
        raise SeatConsoleError("agent id is empty")
    result = QaResult(uuid7(), site_code, agent_id.strip(), call_id or None,
                      name[:NAME_LIMIT], report.call_kind, report.score, report.base,
                      report.pass_mark, report.passed, _stored_findings(report), clock.now_iso())
    with db.write() as session:
        connection = session.connection()
        if result.call_id is not None and connection.execute(
                text("SELECT 1 FROM call WHERE id = :id"), {"id": result.call_id}).first() is None:
            raise UnknownCall(f"no call record {result.call_id!r} in {db.path}")
        connection.execute(
            text(f"INSERT INTO qa_result ({_COLUMNS}) VALUES (:id, :site_code, :agent_id, "
                 ":call_id, :transcript_name, :call_kind, :score, :base, :pass_mark, :passed, "
                 ":findings, :checked_at)"),
            {**result.as_json(), "findings": json.dumps(result.findings, ensure_ascii=False)})
        session.add(OutboxOp(entity="qa_result", entity_id=result.id, op="create",
                             base_version=0, payload=result.as_json(),
                             created_at=result.checked_at))
    return result


def _bound(value: str | datetime | None) -> str | None:
    """An ISO bound comparable with checked_at (China time, as every stamp is stored)."""
    if value is None:
        return None
    instant = clock.parse_iso(value) if isinstance(value, str) else \
        (value if value.tzinfo else value.replace(tzinfo=clock.CHINA_TZ))
    return instant.astimezone(clock.CHINA_TZ).isoformat(timespec="milliseconds")


def qa_results(db: Database, since: str | datetime | None = None,
               until: str | datetime | None = None) -> list[QaResult]:
    """Results checked at `since` or later and before `until` (either may be None), oldest
    first."""
    where, params = [], {}
    for name, value, op in (("since", since, ">="), ("until", until, "<")):
        bound = _bound(value)
        if bound is not None:
            where.append(f"checked_at {op} :{name}")
            params[name] = bound
    sql = f"SELECT {_COLUMNS} FROM qa_result" + (" WHERE " + " AND ".join(where) if where else "")
    with db.read() as session:
        rows = session.connection().execute(text(sql + " ORDER BY checked_at, id"), params).all()
    return [QaResult(row.id, row.site_code, row.agent_id, row.call_id, row.transcript_name,
                     row.call_kind, row.score, row.base, row.pass_mark, bool(row.passed),
                     json.loads(row.findings), row.checked_at) for row in rows]
