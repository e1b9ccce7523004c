"""The call itself: start (by hand or from telephony), caller history, draft autosave and
recovery, submit, and the call record written when it ends (with a ticket, or without one and
why).

Part of ConsoleScreen (see console_screen.py).
"""

from __future__ import annotations

from typing import Any

from textual import on

from seat_console.core import clock
from seat_console.core.calls import CallStart, NoTicketReason, record_call
from seat_console.core.callers import CallerHistory, caller_history
from seat_console.core.cti import CtiCall, CtiUpdate, masked
from seat_console.core.drafts import (
    SavedDraft,
    discard_draft,
    has_content,
    load_draft,
    save_draft,
)
from seat_console.core.models import Ticket
from seat_console.core.ticket_codes import STATUS_LABELS
from seat_console.core.tickets import Invalid, TicketInput, submit
from seat_console.core.validation import check_phone, same_phone
from seat_console.tui.screens.console_base import ConsoleSlice, background
from seat_console.tui.screens.draft_recovery_dialog import DraftRecoveryDialog
from seat_console.tui.screens.end_call_dialog import EndCallDialog
from seat_console.tui.screens.forbidden_confirm_dialog import ForbiddenConfirmDialog
from seat_console.tui.screens.new_call_dialog import NewCallDialog
from seat_console.tui.widgets.caller_pane import CallerPane
from seat_console.tui.widgets.kb_pane import KbPane
from seat_console.tui.widgets.phrase_pane import PhrasePane
from seat_console.tui.widgets.status_bar import RING_SHOWN_SECONDS, StatusBar
from seat_console.tui.widgets.ticket_form import TicketForm
from seat_console.tui.keymap import hint


DRAFT_RETRY_SECONDS = 2.0


class CallSlice(ConsoleSlice):
    """A slice of the console screen; its state is set up by ConsoleScreen.__init__."""

    def action_new_call(self) -> None:
        self.app.push_screen(NewCallDialog(), self.start_call)

    def start_call(self, phone: str | None) -> None:
        """Begin a call from `phone` (typed in the dialog, or given with --call)."""
        if not phone:
            return
        form = self.query_one(TicketForm)
        if has_content(form.values()) and not same_phone(
                str(form.values().get("caller_phone") or ""), phone):
            self.notify("当前工单尚未提交,已保留为草稿;提交后再开始新来电", severity="warning")
            return
        self._begin_call(phone)

    def _begin_call(self, phone: str, *, focus: bool = True, received: str = "") -> None:
        """What starts every call, by hand or from telephony: the timer, the phone field, the
        caller's history (or `received`, the number telephony gave, when it is not usable)."""
        self.call.started_at = self.call.started_at or clock.now_iso()
        self.query_one(StatusBar).call_started = clock.parse_iso(
            self.call.handled_from or self.call.started_at).timestamp()
        self.query_one(StatusBar).call_ended = None
        if phone:
            self.query_one(TicketForm).load({"caller_phone": phone})
        self.query_one(PhrasePane).phase = "opening"
        self._mark_dirty()
        if phone:
            self._load_history(phone)
        else:
            self.query_one(CallerPane).show_unknown_number(received)
        if focus:
            self.action_focus_pane("ticket")

    # -- calls from telephony (tui/cti_listener.py) -------------------------------------------
    def telephony_event(self, update: CtiUpdate) -> None:
        """An event from the telephone system. Never moves the focus and never touches what
        the agent typed: a call answered during another one waits until that one ends."""
        call = update.call
        if call is None:
            return
        lines = self.shift.telephony
        lines.ringing.pop(call.call_id, None)
        if update.kind == "ringing":
            lines.ringing[call.call_id] = call
            self.notify(f"来电振铃 {masked(call.phone)}", title="来电", timeout=4)
        elif update.kind == "answered":
            if self._takes_over(call):
                pass
            elif self._busy_with_a_call():
                lines.waiting.append(call)
                self.notify(f"已接通新来电 {masked(call.phone)};当前来电结束后自动打开",
                            title="来电", severity="warning", timeout=8)
            else:
                self._open_telephony_call(call)
        elif call.call_id == self.call.cti_call_id:
            self._hung_up(call)
        else:
            lines.waiting = [call if w.call_id == call.call_id else w for w in lines.waiting]
            if update.kind == "missed":
                self.notify(f"未接来电 {masked(call.phone)},已记录", title="未接来电",
                            severity="warning", timeout=8)
        self._show_ringing()

    def telephony_unavailable(self, why: str) -> None:
        self.query_one(StatusBar).telephony = "话务未连接"
        self.notify(hint(self, f"话务未连接:{why};来电请按 {{console.new_call}} 手动开始"),
                    title="话务", severity="warning", timeout=10)

    def _busy_with_a_call(self) -> bool:
        return bool(self.call.started_at) or self.draft.offer_pending or has_content(
            self.query_one(TicketForm).values())

    def _takes_over(self, call: CtiCall) -> bool:
        """The agent opened this very call by hand (Ctrl+N while it rang): it becomes the
        telephony call, with its ring and answer times."""
        phone = str(self.query_one(TicketForm).values().get("caller_phone") or "")
        if not self.call.started_at or self.call.cti_call_id or not phone \
                or not same_phone(phone, call.phone):
            return False
        self.call.cti_call_id, self.call.answered_at = call.call_id, call.answered_at
        self.call.started_at = min(self.call.started_at, call.started_at)
        return True

    def _open_telephony_call(self, call: CtiCall) -> None:
        self.call.started_at, self.call.answered_at = call.started_at, call.answered_at
        self.call.cti_call_id = call.call_id
        checked = check_phone(call.phone)
        self._begin_call(checked.normalized if checked.ok else "", focus=False,
                         received=call.phone)
        if call.ended_at:
            self._hung_up(call)

    def _hung_up(self, call: CtiCall) -> None:
        """The caller hung up: the timer stops at 已挂机, the agent finishes the ticket."""
        self.call.ended_at = call.ended_at
        if call.ended_at:
            self.query_one(StatusBar).call_ended = clock.parse_iso(call.ended_at).timestamp()

    def _open_waiting_call(self) -> None:
        """After a call ends (or the draft offer is answered): the call answered meanwhile."""
        waiting = self.shift.telephony.waiting
        if waiting and not self._busy_with_a_call():
            self._open_telephony_call(waiting.pop(0))

    def _show_ringing(self) -> None:
        ringing = self.shift.telephony.ringing
        now = clock.timestamp()
        for call_id, call in list(ringing.items()):  # its hangup was lost: forget it
            if now - clock.parse_iso(call.started_at).timestamp() > RING_SHOWN_SECONDS:
                del ringing[call_id]
        self.query_one(StatusBar).ringing = tuple(
            (masked(c.phone), clock.parse_iso(c.started_at).timestamp())
            for c in ringing.values())

    @background("caller-history", exclusive=True)
    def _load_history(self, phone: str) -> None:
        self.from_thread(self._show_history, caller_history(self.workspace.db, phone), phone)

    def _show_history(self, history: CallerHistory, phone: str) -> None:
        current = str(self.query_one(TicketForm).values().get("caller_phone") or "")
        if self.call.started_at and not same_phone(current, phone):
            return  # the last caller's, arriving after the next call began (from telephony)
        self.query_one(CallerPane).show_history(history, in_call=self._busy_with_a_call())
        if self.call.started_at and not history.masked:  # pre-fill during a call only
            self.query_one(TicketForm).fill_if_empty(
                {"caller_name": history.name, "caller_address": history.address}
            )

    @on(TicketForm.Edited)
    def _mark_dirty(self) -> None:
        self.draft.dirty = True
        self.query_one(StatusBar).draft_state = "草稿未保存"
        self.draft.needs_check = True

    def _autosave_tick(self) -> None:
        """Runs every `autosave_seconds`: save the draft and refresh the phrases if edited.

        Nothing is saved while a draft from an earlier session is still on offer (it would be
        overwritten before the agent answered), and an empty form never replaces a draft."""
        if self.draft.dirty and not self.draft.offer_pending:
            self.draft.dirty = False
            values = self.query_one(TicketForm).values()
            self._time_the_typing(values)
            if has_content(values):
                self._save_draft(values, self.draft.generation)
            else:
                self.query_one(StatusBar).draft_state = ""
            self._check_repeat(str(values["caller_phone"]), str(values["caller_address"]),
                               str(values["content"]))
            self._follow_call_phase(values)
            self._update_phrase_context()

    def save_draft_before_quitting(self) -> None:
        """Ctrl+Q: keys typed since the last autosave tick are saved before the console exits
        (on the main thread: nothing else runs any more)."""
        if not self.draft.dirty or self.draft.offer_pending:
            return
        values = self.query_one(TicketForm).values()
        if has_content(values):
            with self.draft.lock:
                save_draft(self.workspace.db, self.draft.slot, values, self.call.started_at)
            self.draft.dirty = False

    def _time_the_typing(self, values: dict[str, Any]) -> None:
        """Timing records for the quality indicators and the typing-speed meter."""
        if self.call.first_text_at is None and str(values.get("content") or "").strip():
            self.call.first_text_at = clock.now_iso()
        self.query_one(StatusBar).typing = self.call.meter.per_minute()

    def _follow_call_phase(self, values: dict[str, Any]) -> None:
        pane = self.query_one(PhrasePane)
        if pane.phase == "opening" and values.get("caller_name", "").strip():
            pane.phase = "identity"
        if pane.phase in ("opening", "identity") and values.get("content", "").strip():
            pane.phase = "matter"
        if pane.phase in ("opening", "identity", "matter") and values.get("reply", "").strip():
            pane.phase = "disposition"

    @background("draft")
    def _save_draft(self, fields: dict[str, Any], generation: int) -> None:
        try:
            with self.draft.lock:
                if generation != self.draft.generation:
                    return  # the form was submitted or reset since this snapshot
                saved_at = save_draft(self.workspace.db, self.draft.slot, fields,
                                      self.call.started_at)
        except Exception:
            self.draft.dirty = True  # try again on the next tick; the form keeps everything
            raise
        self.from_thread(self._draft_saved, saved_at)

    def _draft_saved(self, saved_at: str) -> None:
        if not self.draft.dirty:
            self.query_one(StatusBar).draft_state = f"草稿已保存 {saved_at[11:19]}"

    @background("draft")
    def _check_for_draft(self) -> None:
        try:
            draft = load_draft(self.workspace.db, self.draft.slot)
        except Exception:  # the offer stays pending: look again shortly
            self.from_thread(self.set_timer, DRAFT_RETRY_SECONDS, self._check_for_draft)
            raise
        if draft is not None:
            self.from_thread(self._offer_draft, draft)
        else:
            self.from_thread(self._no_draft_on_offer)

    def _no_draft_on_offer(self) -> None:
        self.draft.offer_pending = False
        self._open_waiting_call()

    def _offer_draft(self, draft: SavedDraft) -> None:
        def answered(restore: bool | None) -> None:
            self.draft.offer_pending = False
            if restore:
                form = self.query_one(TicketForm)
                form.load(draft.fields)
                self.call.started_at = draft.call_started_at or self.call.started_at
                if self.call.started_at:
                    self.query_one(StatusBar).call_started = clock.parse_iso(
                        self.call.started_at).timestamp()
                phone = str(draft.fields.get("caller_phone") or "")
                if phone:
                    self._load_history(phone)
                self.query_one(StatusBar).draft_state = "已恢复草稿"
                self._update_phrase_context()
                form.focus_first_empty()
                self._save_draft(form.values(), self.draft.generation)  # now this session's
            else:
                self._discard_draft()
                self.query_one(StatusBar).draft_state = "草稿已丢弃"
                self._open_waiting_call()

        self.app.push_screen(DraftRecoveryDialog(draft), answered)

    @background("draft")
    def _discard_draft(self) -> None:
        with self.draft.lock:
            discard_draft(self.workspace.db, self.draft.slot)

    @on(TicketForm.SubmitRequested)
    def _submit_requested(self, message: TicketForm.SubmitRequested) -> None:
        fields = dict(message.fields, call_started_at=self.call.handled_from,
                      first_text_at=self.call.first_text_at,
                      typing_cpm=self.call.meter.per_minute())
        call = self.current_call()
        self.run_checks()
        if not self.call.forbidden_hits:
            self._submit(fields, call)
            return
        hits = dict(self.call.forbidden_hits)

        def answered(submit_anyway: bool | None) -> None:
            if submit_anyway:
                fields["forbidden_confirmed"] = [
                    {"field": name, "phrase": hit.phrase, "matched": hit.matched}
                    for name, field_hits in hits.items() for hit in field_hits]
                self._submit(fields, call)

        self.app.push_screen(ForbiddenConfirmDialog(hits), answered)

    @background("submit", exclusive=True)
    def _submit(self, fields: dict[str, Any], call: CallStart | None) -> None:
        """Nothing is written when this fails; the form keeps everything."""
        form_input = TicketInput.from_fields(fields)
        try:
            with self.draft.lock:
                ticket = submit(self.workspace.db, form_input, site_code=self.config.site_code,
                                agent_id=self.config.agent.id, draft_slot=self.draft.slot,
                                deadlines=self.workspace.deadlines, call=call)
                self.draft.generation += 1
        except Invalid as invalid:
            self.from_thread(self.query_one(TicketForm).show_errors, invalid.errors)
            return
        self.from_thread(self._submitted, ticket)

    def _submitted(self, ticket: Ticket) -> None:
        self.shift.last_ticket = ticket
        status = STATUS_LABELS.get(ticket.status, ticket.status)  # 已受理, 已办结 (直接答复, 不予受理)
        self.notify(f"工单 {ticket.number} 已保存,状态:{status}", title="提交成功", timeout=6)
        self._reset_after_call(f"已提交 {ticket.number}", ticket.caller_phone)
        self._update_phrase_context(ticket_no=ticket.number)

    def _reset_after_call(self, state: str, phone: str) -> None:
        """The call is done: the form is ready for the next one, the history refreshed."""
        form = self.query_one(TicketForm)
        form.clear()
        self.draft.dirty = False
        self.call.end()
        status = self.query_one(StatusBar)
        status.call_started = status.call_ended = None
        status.typing = 0
        status.draft_state = state
        self.query_one(PhrasePane).phase = "closing"
        self.query_one(KbPane).clear_query()  # the next caller is another matter
        if phone:
            self._load_history(phone)
        self.query_one("#caller_name").focus()
        self._open_waiting_call()

    # -- the end of a call --------------------------------------------------------------------
    def current_call(self) -> CallStart | None:
        """The call in progress (started with Ctrl+N, --call, or a restored draft), if any."""
        if not self.call.started_at:
            return None
        phone = str(self.query_one(TicketForm).values().get("caller_phone") or "")
        # Answered and hung up as telephony said; a call opened by hand has no answer time
        # (no ring to measure: 平均振铃时长 counts calls from telephony only).
        return CallStart(started_at=self.call.started_at, phone=phone,
                         answered_at=self.call.answered_at, cti_call_id=self.call.cti_call_id,
                         ended_at=self.call.ended_at)

    def action_end_call(self) -> None:
        """Ctrl+E: end the call without a ticket, with the reason picked in the dialog."""
        call = self.current_call()
        if call is None:
            self.notify(hint(self, "当前没有进行中的来电({console.new_call} 开始新来电)"),
                        severity="warning")
            return
        outcomes = self.workspace.call_outcomes
        if not outcomes.reasons:
            self.notify("未配置结束来电的原因(scripts_phrases/call_outcomes.yaml)", severity="error")
            return
        suggested = outcomes.first_for("status_inquiry") if self.call.inquiry_made else None
        values = self.query_one(TicketForm).values()
        typed = has_content({k: v for k, v in values.items() if k != "caller_phone"})

        def answered(reason: NoTicketReason | None) -> None:
            if reason is not None and self.call.started_at == call.started_at:
                self._end_without_ticket(call, reason)

        self.app.push_screen(EndCallDialog(outcomes.reasons, discards_text=typed,
                                           suggested=suggested.code if suggested else ""),
                             answered)

    @background("call")
    def _end_without_ticket(self, call: CallStart, reason: NoTicketReason) -> None:
        """Nothing is written when this fails; the call goes on."""
        with self.draft.lock:
            record_call(self.workspace.db, call, site_code=self.config.site_code,
                        agent_id=self.config.agent.id, outcome=reason.outcome, reason=reason,
                        draft_slot=self.draft.slot)
            self.draft.generation += 1
        self.from_thread(self._ended_without_ticket, call, reason)

    def _ended_without_ticket(self, call: CallStart, reason: NoTicketReason) -> None:
        self.notify(f"来电已结束:{reason.label}(未建工单)", title="结束来电")
        self._reset_after_call(f"来电已结束 {reason.label}", call.phone)
