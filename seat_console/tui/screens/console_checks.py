"""Forbidden phrases and scope while typing; 不予受理 (F7) and 紧急转警 (F8).

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

import logging

from rich.text import Text

from seat_console.core import clock
from seat_console.core.phrases.catalog import fill
from seat_console.core.phrases.scope import ScopeVerdict
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

    def _toggle_disposition(self, code: str, missing: str) -> ScopeVerdict | None:
        """Set disposition `code` from the detected rule, or undo it when already set."""
        form = self.query_one(TicketForm)
        if form.disposition == code:
            form.set_disposition(None)
            return None
        verdict = self.call.scope_finding
        emergency = verdict.emergency if verdict else None
        scope = verdict.scope if verdict else None
        if (emergency if code == "emergency" else scope) is None:
            self.notify(missing, severity="warning")
            return None
        if code == "emergency":
            assert emergency is not None
            # One service on the ticket for now: the first (the ticket contract has one field).
            form.set_disposition({"disposition": code,
                                  "disposition_reason": "、".join(emergency.labels),
                                  "emergency_service": emergency.services[0],
                                  "emergency_at": clock.now_iso()})
        else:
            assert scope is not None
            form.set_disposition({"disposition": code, "disposition_reason": scope.label,
                                  "emergency_service": "", "emergency_at": ""})
        return verdict

    def action_reject(self) -> None:
        """不予受理 with the reason of the scope rule that matched (again: undo)."""
        if self._toggle_disposition("rejected", "诉求内容未识别到非受理情形;请先记录诉求内容"):
            self.query_one(PhrasePane).phase = "special"

    def action_emergency(self) -> None:
        """紧急转警: record which service and when (again: undo)."""
        verdict = self._toggle_disposition("emergency",
                                           "诉求内容未识别到紧急情形(着火、有人受伤、持刀等)")
        if verdict is None or verdict.emergency is None:
            return
        services = " + ".join(verdict.emergency.services)
        log.warning("emergency transfer recorded services=%s", services)
        self.notify(f"已记录转 {services},请同时报告热线管理人员", title="紧急转警",
                    severity="error", timeout=8)
