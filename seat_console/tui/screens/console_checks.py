"""Forbidden phrases and scope while typing; 不予受理 (F7) and 紧急转警 (F8).

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

import logging

from rich.text import Text

from seat_console.core import clock
from seat_console.core.check_reports import ReportRefused, record_report
from seat_console.core.phrases.catalog import fill
from seat_console.core.ticket_codes import emergency_value
from seat_console.core.phrases.scope import ScopeVerdict
from seat_console.tui.plain import plain
from seat_console.tui.screens.check_report_dialog import CheckReportDialog, CheckReportInput
from seat_console.tui.screens.choice_dialog import ChoiceDialog
from seat_console.tui.screens.console_base import ConsoleSlice
from seat_console.tui.screens.emergency_dialog import EmergencyDialog
from seat_console.tui.workers import background
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.ticket_form import CHECKED_FIELDS, TicketForm
from seat_console.tui.keymap import hint

log = logging.getLogger(__name__)


class ChecksSlice(ConsoleSlice):
    """A slice of the console screen; its state is set up by ConsoleScreen.__init__."""

    def _check_tick(self) -> None:
        if self.draft.needs_check:
            self.draft.needs_check = False
            self.run_checks()

    def run_checks(self) -> None:
        """Forbidden phrases in every text field; scope and emergencies in the 诉求 (~µs)."""
        form = self.query_one(TicketForm)
        values = form.values()
        checker = self.workspace.checker
        hits = {name: found for name in CHECKED_FIELDS
                if (found := checker.check(str(values.get(name) or "")))}
        if hits != self.call.forbidden_hits:
            self.call.forbidden_hits = hits
            form.show_forbidden(hits)
        verdict = self.workspace.scope.detect(str(values.get("content") or "")) or None
        if verdict != self.call.scope_finding:
            self.call.scope_finding = verdict
            self._show_scope(verdict)

    def _show_scope(self, verdict: ScopeVerdict | None) -> None:
        form = self.query_one(TicketForm)
        if verdict is None:
            form.show_scope(None)
            return
        context = self._phrase_context()
        # The matched text and the filled script hold citizen text: plain, no control characters.
        if verdict.emergency is not None:
            emergency = verdict.emergency
            banner = Text.assemble(
                plain(f"⚠ 紧急事项:{'、'.join(emergency.labels)}(“{emergency.matched}”)→ 请引导拨打 "
                      f"{' + '.join(emergency.services)}  "
                      + hint(self, "{console.emergency} 记录转警") + "\n", "bold"),
                plain(self.workspace.scope.script(emergency, context)))
            form.show_scope(banner, emergency=True)
        elif verdict.scope is not None:
            scope = verdict.scope
            banner = Text.assemble(
                plain(f"非受理范围:{scope.label}(“{scope.matched}”)  "
                      + hint(self, "{console.reject} 不予受理") + "\n", "bold"),
                plain(fill(scope.reply, context)))
            form.show_scope(banner)

    def action_reject(self) -> None:
        """不予受理 (again: undo): the agent picks the reason, the detected one offered first."""
        form = self.query_one(TicketForm)
        if form.disposition == "rejected":
            form.set_disposition(None)
            return
        categories = self.workspace.scope.rules.not_accepted
        verdict = self.call.scope_finding
        detected = verdict.scope.category if verdict and verdict.scope else ""
        labels = [category.label for category in categories]
        highlight = next((i for i, c in enumerate(categories) if c.id == detected), 0)

        def chosen(label: str | None) -> None:
            if label is None:
                return
            form.set_disposition({"disposition": "rejected", "disposition_reason": label,
                                  "emergency_service": "", "emergency_at": ""})
            self.query_one(PhrasePane).phase = "special"

        self.app.push_screen(ChoiceDialog("不予受理:请选择非受理情形", labels, highlight=highlight),
                             chosen)

    def action_emergency(self) -> None:
        """紧急转警 (again: undo): the agent ticks the services, the detected ones ticked; the
        ticket is 督办 and reported to the shift leader when it is submitted."""
        form = self.query_one(TicketForm)
        if form.disposition == "emergency":
            form.set_disposition(None)
            return
        rules = self.workspace.scope.rules
        verdict = self.call.scope_finding
        emergency = verdict.emergency if verdict else None

        def chosen(services: tuple[str, ...] | None) -> None:
            if not services:
                return
            reason = "、".join(emergency.labels) if emergency else "、".join(
                rules.services[service] for service in services)
            form.set_disposition({"disposition": "emergency", "disposition_reason": reason,
                                  "emergency_service": emergency_value(services),
                                  "emergency_at": clock.now_iso()})
            log.warning("emergency transfer recorded services=%s", emergency_value(services))
            self.notify(f"已记录转 {' + '.join(services)};提交工单后自动督办并报告热线管理人员,"
                        "请同时口头报告", title="紧急转警", severity="error", timeout=8)

        self.app.push_screen(
            EmergencyDialog(rules.services, emergency.services if emergency else ()), chosen)

    def action_report_check(self) -> None:
        """记录漏检/误报: what a live check got wrong, for whoever keeps the rules."""
        focused = self.app.focused
        field = ""
        text = ""
        form = self.query_one(TicketForm)
        values = form.values()
        if focused is not None and focused.id in values and values.get(focused.id):
            field, text = str(focused.id), str(values[focused.id])
        elif values.get("content"):
            field, text = "content", str(values["content"])
        verdict = self.call.scope_finding
        kind = ("forbidden_false_alarm" if self.call.forbidden_hits.get(field) else
                "emergency_false_alarm" if field == "content" and verdict and verdict.emergency else
                "scope_false_alarm" if field == "content" and verdict and verdict.scope else
                "forbidden_missed")

        def answered(report: CheckReportInput | None) -> None:
            if report is not None:
                self._store_check_report(report, field)

        self.app.push_screen(CheckReportDialog(text, kind=kind), answered)

    @background("check-report")
    def _store_check_report(self, report: CheckReportInput, field: str) -> None:
        try:
            record_report(self.workspace.db, kind=report.kind, text=report.text,
                          note=report.note, field=field, agent_id=self.config.agent.id,
                          site_code=self.config.site_code)
        except ReportRefused as refused:
            self.from_thread(self.notify, str(refused), severity="warning")
            return
        self.from_thread(self.notify, "已记录,供规则维护人员核对(seat-console check-reports)",
                         title="漏检/误报已记录")
