"""Cases the live checks got wrong, as the agent reports them (漏检/误报反馈, table check_report):
a forbidden phrase the checker missed or flagged wrongly, an out-of-scope matter or an emergency
it did not see or saw where there was none. The rules are data (scripts_phrases/); these reports
are how the people who keep that data learn what real speech the rules do not yet cover.

The reported text may hold citizens' data: it is stored in hotline.db only, never logged, and
every export masks what is shaped like personal data (masking.mask_text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text as sql

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.errors import SeatConsoleError
from seat_console.core.ids import uuid7
from seat_console.core.masking import mask_text

# kind -> what the agent picks in the console
REPORT_KINDS: dict[str, str] = {
    "forbidden_missed": "禁语漏检(有禁语未提示)",
    "forbidden_false_alarm": "禁语误报(不是禁语却提示)",
    "scope_missed": "非受理情形漏判",
    "scope_false_alarm": "非受理情形误判",
    "emergency_missed": "紧急情形漏判",
    "emergency_false_alarm": "紧急情形误判",
}
TEXT_LIMIT, NOTE_LIMIT = 4000, 500
_COLUMNS = "id, site_code, agent_id, kind, field, text, note, created_at"


class ReportRefused(SeatConsoleError):
    """A report without a kind we know or without text (the message is Chinese, for the UI)."""


@dataclass(frozen=True)
class CheckReport:
    id: str
    site_code: str
    agent_id: str
    kind: str
    field: str  # the form field the text came from ("" when typed in the dialog)
    text: str
    note: str
    created_at: str

    def as_json(self) -> dict[str, Any]:
        """For export: personal data in the text and the note masked."""
        return {"id": self.id, "site_code": self.site_code, "agent_id": self.agent_id,
                "kind": self.kind, "kind_label": REPORT_KINDS.get(self.kind, self.kind),
                "field": self.field, "text": mask_text(self.text), "note": mask_text(self.note),
                "created_at": self.created_at}


def record_report(db: Database, *, kind: str, text: str, note: str = "", field: str = "",
                  agent_id: str, site_code: str) -> CheckReport:
    if kind not in REPORT_KINDS:
        raise ReportRefused("请选择反馈类型:" + "、".join(REPORT_KINDS.values()))
    if not text.strip():
        raise ReportRefused("请填写被漏检或误报的原文")
    if len(text) > TEXT_LIMIT or len(note) > NOTE_LIMIT:
        raise ReportRefused(f"原文最多{TEXT_LIMIT}字,说明最多{NOTE_LIMIT}字")
    report = CheckReport(uuid7(), site_code, agent_id, kind, field, text.strip(), note.strip(),
                         clock.now_iso())
    with db.write() as session:
        session.connection().execute(
            sql(f"INSERT INTO check_report ({_COLUMNS}) VALUES (:id, :site_code, :agent_id, "
                ":kind, :field, :text, :note, :created_at)"), report.__dict__)
    return report


def check_reports(db: Database) -> list[CheckReport]:
    """Every report, oldest first."""
    with db.read() as session:
        rows = session.connection().execute(
            sql(f"SELECT {_COLUMNS} FROM check_report ORDER BY created_at, id")).all()
    return [CheckReport(*row) for row in rows]
