"""Forbidden phrases and scope while typing; 不予受理 (F7) and 紧急转警 (F8).

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

import logging

from rich.text import Text

from seat_console.core import clock
from seat_console.core.phrases.catalog import fill
from seat_console.core.phrases.scope import Emergency, NotAccepted, ScopeFinding
from seat_console.tui.plain import plain
from seat_console.tui.screens.console_base import ConsoleSlice
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
        finding = self.workspace.scope.detect(str(values.get("content") or ""))
        if finding != self.call.scope_finding:
            self.call.scope_finding = finding
            self._show_scope(finding)

    def _show_scope(self, finding: ScopeFinding | None) -> None:
        form = self.query_one(TicketForm)
        if finding is None:
            form.show_scope(None)
            return
        context = self._phrase_context()
        if isinstance(finding.rule, Emergency):
            script = fill(self.workspace.scope.rules.emergency_script,
                          {**context, "service": finding.rule.service})
            # The trigger and the filled script hold citizen text: plain, no control characters.
            banner = Text.assemble(
                plain(f"⚠ 紧急事项:{finding.rule.label}(“{finding.trigger}”)→ 请引导拨打 "
                      f"{finding.rule.service}  " + hint(self, "{console.emergency} 记录转警") + "\n", "bold"), plain(script))
            form.show_scope(banner, emergency=True)
        else:
            banner = Text.assemble(
                plain(f"非受理范围:{finding.rule.label}(“{finding.trigger}”)  " + hint(self, "{console.reject} 不予受理") + "\n", "bold"),
                plain(fill(finding.rule.reply, context)))
            form.show_scope(banner)

    def _toggle_disposition(self, code: str, wanted: type, missing: str) -> ScopeFinding | None:
        """Set disposition `code` from the matched scope rule, or undo it when already set."""
        form = self.query_one(TicketForm)
        if form.disposition == code:
            form.set_disposition(None)
            return None
        finding = self.call.scope_finding
        if finding is None or not isinstance(finding.rule, wanted):
            self.notify(missing, severity="warning")
            return None
        service = getattr(finding.rule, "service", "")
        form.set_disposition({"disposition": code, "disposition_reason": finding.rule.label,
                              "emergency_service": service,
                              "emergency_at": clock.now_iso() if service else ""})
        return finding

    def action_reject(self) -> None:
        """不予受理 with the reason of the scope rule that matched (again: undo)."""
        if self._toggle_disposition("rejected", NotAccepted,
                                    "诉求内容未识别到非受理情形;请先记录诉求内容"):
            self.query_one(PhrasePane).phase = "special"

    def action_emergency(self) -> None:
        """紧急转警: record which service and when (again: undo)."""
        finding = self._toggle_disposition("emergency", Emergency,
                                           "诉求内容未识别到紧急情形(着火、有人受伤、持刀等)")
        if finding is None:
            return
        assert isinstance(finding.rule, Emergency)
        log.warning("emergency transfer recorded service=%s", finding.rule.service)
        self.notify(f"已记录转 {finding.rule.service},请同时报告热线管理人员", title="紧急转警",
                    severity="error", timeout=8)
