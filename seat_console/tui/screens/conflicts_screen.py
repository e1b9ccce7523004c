"""同步冲突: the fields where this site and the center changed a ticket at the same time. Per
conflict the agent keeps the center's value (applied here, nothing sent) or re-sends the site's
(a new op on the ticket's current version); both are audited events.

Reading and resolving run in thread workers (tui/workers.py); results and errors come back as
Worker.StateChanged, handled in one place, and the screen stays open on a failure."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from seat_console.core import clock
from seat_console.core.db import Database
from seat_console.core.sync.issues import Conflict, ResolveRefused, conflicts, keep_center, resend_site
from seat_console.core.ticket_codes import STATUS_LABELS
from seat_console.tui.keymap import hint
from seat_console.tui.plain import plain
from seat_console.tui.widgets.outcome_line import OutcomeLine
from seat_console.tui.workers import background, failure_text

LOAD_GROUP = "conflicts-load"
WRITE_GROUP = "conflicts-write"


def shown(field: str, value: Any) -> str:
    """A conflicting value as the agent reads it (status as its label)."""
    if field == "status" and isinstance(value, str):
        return STATUS_LABELS.get(value, value)
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"


class ConflictsScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "关闭", id="conflicts.close"),
        Binding("c", "keep_center", "采用中心值", id="conflicts.keep_center"),
        Binding("r", "resend", "重新提交本站值", id="conflicts.resend"),
    ]

    def __init__(self, db: Database, actor: str) -> None:
        super().__init__()
        self.db, self.actor = db, actor
        self.rows: list[Conflict] = []
        self.writing = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Static("同步冲突", id="conflicts-title", classes="dialog-title")
            table: DataTable[str | Text] = DataTable(id="conflicts-table", cursor_type="row",
                                                     zebra_stripes=True)
            table.add_columns("工单编号", "字段", "本站值", "中心值", "时间")
            yield table
            yield OutcomeLine("", id="conflicts-outcome")
            yield Static("", id="conflicts-keys")

    def on_mount(self) -> None:
        self.query_one("#conflicts-keys", Static).update(Text(hint(
            self, "{conflicts.keep_center} 采用中心值 · {conflicts.resend} 重新提交本站值 · "
                  "{conflicts.close} 关闭"), "dim"))
        self.load()

    @background(LOAD_GROUP, exclusive=True)
    def load(self) -> list[Conflict]:
        return conflicts(self.db)

    def _show(self, rows: list[Conflict]) -> None:
        self.rows = rows
        self.query_one("#conflicts-title", Static).update(
            f"同步冲突 · 共 {len(rows)} 项" + ("" if rows else " · 没有待处理的冲突"))
        table = self.query_one("#conflicts-table", DataTable)
        table.clear()
        for row in rows:  # citizen text as Text cells: a str cell would be parsed as markup
            table.add_row(row.ticket, row.label,
                          plain(shown(row.field, row.site_value), one_line=True),
                          plain(shown(row.field, row.center_value), one_line=True),
                          clock.short_time(row.at), key=row.id)
        table.focus()

    def _current(self) -> Conflict | None:
        if self.writing:
            self.notify("上一操作正在保存,请稍候", severity="warning")
            return None
        table = self.query_one("#conflicts-table", DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            self.notify("没有选中的冲突", severity="warning")
            return None
        return self.rows[table.cursor_row]

    def action_keep_center(self) -> None:
        row = self._current()
        if row is not None:
            self.writing = True
            self._resolve(row, keep=True)

    def action_resend(self) -> None:
        row = self._current()
        if row is not None:
            self.writing = True
            self._resolve(row, keep=False)

    @background(WRITE_GROUP)
    def _resolve(self, row: Conflict, *, keep: bool) -> str:
        if keep:
            ticket = keep_center(self.db, row.id, actor=self.actor)
            return f"已采用中心值:{ticket.number} {row.label}"
        ticket = resend_site(self.db, row.id, actor=self.actor)
        return f"已重新提交本站值:{ticket.number} {row.label},待同步"

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == LOAD_GROUP:
            event.stop()
            if event.state == WorkerState.SUCCESS and worker.result is not None:
                self._show(worker.result)
            elif event.state == WorkerState.ERROR:
                self._outcome(failure_text(worker.error, "读取同步冲突"), ok=False)
        elif worker.group == WRITE_GROUP and event.state in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            event.stop()
            self.writing = False
            if event.state == WorkerState.SUCCESS:
                self._outcome(str(worker.result), ok=True)
                self.load()
            elif event.state == WorkerState.ERROR:
                error = worker.error
                text = str(error) if isinstance(error, ResolveRefused) else \
                    failure_text(error, "处理同步冲突")
                self._outcome(text, ok=False)

    def _outcome(self, message: str, *, ok: bool) -> None:
        self.query_one("#conflicts-outcome", OutcomeLine).show(message, ok=ok)

    def action_close(self) -> None:
        self.dismiss(None)
