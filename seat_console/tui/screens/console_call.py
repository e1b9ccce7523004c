"""The call itself: start, caller history, draft autosave and recovery, submit.

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

from typing import Any

from textual import on, work

from seat_console.core import clock
from seat_console.core.callers import CallerHistory, caller_history
from seat_console.core.drafts import (
    SavedDraft,
    discard_draft,
    has_content,
    load_draft,
    save_draft,
)
from seat_console.core.errors import DatabaseUnavailable
from seat_console.core.models import Ticket
from seat_console.core.tickets import Invalid, TicketInput, submit
from seat_console.tui.screens.console_base import ConsoleSlice
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.screens.forbidden_confirm_dialog import ForbiddenConfirmDialog
from seat_console.tui.screens.new_call_dialog import NewCallDialog
from seat_console.tui.widgets.caller_pane import CallerPane
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm


class CallSlice(ConsoleSlice):
    """A slice of the console screen; its state is set up by ConsoleScreen.__init__."""

    def action_new_call(self) -> None:
        self.app.push_screen(NewCallDialog(), self.start_call)

    def start_call(self, phone: str | None) -> None:
        """Begin a call from `phone` (typed in the dialog or handed over by the telephony)."""
        if not phone:
            return
        form = self.query_one(TicketForm)
        if has_content(form.values()) and form.values().get("caller_phone") != phone:
            self.notify("当前工单尚未提交,已保留为草稿;提交后再开始新来电", severity="warning")
            return
        self.call_started_at = self.call_started_at or clock.now_iso()
        self.query_one(StatusBar).call_started = clock.parse_iso(self.call_started_at).timestamp()
        form.load({"caller_phone": phone})
        self.query_one(PhrasePane).phase = "opening"
        self._mark_dirty()
        self._load_history(phone)
        self.action_focus_pane("ticket")

    @work(thread=True, exclusive=True, group="caller-history")
    def _load_history(self, phone: str) -> None:
        try:
            history = caller_history(self.workspace.db, phone)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        self.from_thread(self._show_history, history)

    def _show_history(self, history: CallerHistory) -> None:
        self.query_one(CallerPane).show_history(history)
        if self.call_started_at and not history.masked:  # pre-fill during a call only
            self.query_one(TicketForm).fill_if_empty(
                {"caller_name": history.name, "caller_address": history.address}
            )

    @on(TicketForm.Edited)
    def _mark_dirty(self) -> None:
        self._dirty = True
        self.query_one(StatusBar).draft_state = "草稿未保存"
        self._needs_check = True

    def _autosave_tick(self) -> None:
        """Runs every `autosave_seconds`: save the draft and refresh the phrases if edited."""
        if self._dirty:
            self._dirty = False
            values = self.query_one(TicketForm).values()
            self._time_the_typing(values)
            self._save_draft(values, self._generation)
            self._check_repeat(str(values["caller_phone"]), str(values["caller_address"]),
                               str(values["content"]))
            self._follow_call_phase(values)
            self._update_phrase_context()

    def _time_the_typing(self, values: dict[str, Any]) -> None:
        """Timing records for the quality indicators and the typing-speed meter."""
        if self.first_text_at is None and str(values.get("content") or "").strip():
            self.first_text_at = clock.now_iso()
        self.meter.sample(sum(len(v) for v in values.values() if isinstance(v, str)))
        self.query_one(StatusBar).typing = self.meter.per_minute()

    def _follow_call_phase(self, values: dict[str, Any]) -> None:
        pane = self.query_one(PhrasePane)
        if pane.phase == "opening" and values.get("caller_name", "").strip():
            pane.phase = "identity"
        if pane.phase in ("opening", "identity") and values.get("content", "").strip():
            pane.phase = "matter"
        if pane.phase in ("opening", "identity", "matter") and values.get("reply", "").strip():
            pane.phase = "disposition"

    @work(thread=True, group="draft")
    def _save_draft(self, fields: dict[str, Any], generation: int) -> None:
        try:
            with self._draft_lock:
                if generation != self._generation:
                    return  # the form was submitted or reset since this snapshot
                saved_at = save_draft(self.workspace.db, self.draft_slot, fields,
                                      self.call_started_at)
        except DatabaseUnavailable as error:
            self._dirty = True  # try again on the next tick; the form keeps everything
            self._report_from_thread(error)
            return
        self.from_thread(self._draft_saved, saved_at)

    def _draft_saved(self, saved_at: str) -> None:
        if not self._dirty:
            self.query_one(StatusBar).draft_state = f"草稿已保存 {saved_at[11:19]}"

    @work(thread=True, group="draft")
    def _check_for_draft(self) -> None:
        try:
            draft = load_draft(self.workspace.db, self.draft_slot)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)
            return
        if draft is not None:
            self.from_thread(self._offer_draft, draft)

    def _offer_draft(self, draft: SavedDraft) -> None:
        def answered(restore: bool | None) -> None:
            if restore:
                self.query_one(TicketForm).load(draft.fields)
                self.call_started_at = draft.call_started_at
                if draft.call_started_at:
                    self.query_one(StatusBar).call_started = clock.parse_iso(
                        draft.call_started_at).timestamp()
                phone = str(draft.fields.get("caller_phone") or "")
                if phone:
                    self._load_history(phone)
                self.query_one(StatusBar).draft_state = "已恢复草稿"
                self._update_phrase_context()
                self.query_one(TicketForm).focus_first_empty()
            else:
                self._discard_draft()
                self.query_one(StatusBar).draft_state = "草稿已丢弃"

        self.app.push_screen(DraftRecoveryDialog(draft), answered)

    @work(thread=True, group="draft")
    def _discard_draft(self) -> None:
        try:
            with self._draft_lock:
                discard_draft(self.workspace.db, self.draft_slot)
        except DatabaseUnavailable as error:
            self._report_from_thread(error)

    @on(TicketForm.SubmitRequested)
    def _submit_requested(self, message: TicketForm.SubmitRequested) -> None:
        fields = dict(message.fields, call_started_at=self.call_started_at,
                      first_text_at=self.first_text_at, typing_cpm=self.meter.per_minute())
        self.run_checks()
        if not self.forbidden_hits:
            self._submit(fields)
            return
        hits = dict(self.forbidden_hits)

        def answered(submit_anyway: bool | None) -> None:
            if submit_anyway:
                fields["forbidden_confirmed"] = [
                    {"field": name, "phrase": hit.phrase, "matched": hit.matched}
                    for name, field_hits in hits.items() for hit in field_hits]
                self._submit(fields)

        self.app.push_screen(ForbiddenConfirmDialog(hits), answered)

    @work(thread=True, exclusive=True, group="submit")
    def _submit(self, fields: dict[str, Any]) -> None:
        form_input = TicketInput.from_fields(fields)
        try:
            with self._draft_lock:
                ticket = submit(self.workspace.db, form_input, site_code=self.config.site_code,
                                agent_id=self.config.agent.id, draft_slot=self.draft_slot,
                                deadlines=self.workspace.deadlines)
                self._generation += 1
        except Invalid as invalid:
            self.from_thread(self.query_one(TicketForm).show_errors, invalid.errors)
            return
        except DatabaseUnavailable as error:
            self._report_from_thread(error)  # nothing was written; the form is untouched
            return
        self.from_thread(self._submitted, ticket)

    def _submitted(self, ticket: Ticket) -> None:
        self.last_ticket = ticket
        self.notify(f"工单 {ticket.number} 已受理并保存", title="提交成功", timeout=6)
        self._reset_after_call(f"已提交 {ticket.number}", ticket.caller_phone)
        self._update_phrase_context(ticket_no=ticket.number)

    def _reset_after_call(self, state: str, phone: str) -> None:
        """The call is done: the form is ready for the next one, the history refreshed."""
        form = self.query_one(TicketForm)
        form.clear()
        self._dirty = False
        self.call_started_at = None
        self.first_text_at = None
        self.meter.reset()
        status = self.query_one(StatusBar)
        status.call_started = None
        status.typing = 0
        status.draft_state = state
        self.query_one(PhrasePane).phase = "closing"
        self._load_history(phone)
        self.query_one("#caller_name").focus()
