"""The real console in drill mode (培训演练): a scripted caller on drill.db, the trainee's actions
recorded as the drill's run, scored when the call ends.

Everything on shift works the same (the form, its live checks, the KB, F7/F8/F11/F12, Ctrl+E,
Ctrl+S); on top of it: the drill banner, the conversation in the caller pane and the reply line
(Ctrl+T) where the trainee types what they say. What they do becomes the run's actions:
  the reply line's Enter          -> say
  the form, on the autosave tick  -> fill (and dispose, when its 处置方式 changes)
  a KB entry read or adopted      -> kb
  Ctrl+S / F12 催办 / Ctrl+E       -> dispose (the form's, urge, the end-call reason), submit
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.binding import Binding
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input

from seat_console.core import clock
from seat_console.core.calls import CallStart, NoTicketReason
from seat_console.core.db import Database
from seat_console.core.drills.actions import Action
from seat_console.core.drills.results import DrillResult, results, store_result
from seat_console.core.drills.scenario import Scenario
from seat_console.core.drills.scoring import URGE, DrillScore, DrillScorer
from seat_console.core.drills.session import DrillSession
from seat_console.core.models import KbArticle, Ticket
from seat_console.core.plain_text import printable
from seat_console.core.validation import check_phone
from seat_console.core.workspace import Workspace
from seat_console.tui.screens.console_screen import ConsoleScreen
from seat_console.tui.screens.drill_score_screen import DrillScoreScreen
from seat_console.tui.workers import background
from seat_console.tui.widgets.caller_pane import CallerPane
from seat_console.tui.widgets.drill_banner import DrillBanner
from seat_console.tui.widgets.drill_caller_pane import DrillCallerPane
from seat_console.tui.widgets.ticket_form import TicketForm

POLL_SECONDS = 0.2  # how often the caller's due lines are looked for (~1 ms with 20 lines said)


@dataclass(frozen=True)
class DrillSetup:
    """What a drill is run with; `now` is the drill's clock (tests drive it by hand)."""

    scenario: Scenario
    scorer: DrillScorer
    trainee_id: str
    now: Callable[[], float] = time.monotonic
    send_from: Path | None = None  # the site's hotline.db: results queued there for the center


@dataclass
class DrillRun:
    """The drill in progress, beside the console's CurrentCall."""

    session: DrillSession | None = None  # from the moment the call is answered
    started_at: str = ""
    disposed: str = ""  # the last disposition recorded
    consulted: str = ""  # the last KB entry recorded
    typing_cpm: int = 0  # the last typing speed the meter showed
    reply_needs_check: bool = False

    @property
    def live(self) -> DrillSession | None:
        """The session while the call goes on (None before it and once it is scored)."""
        return self.session if self.session is not None and self.session.finished is None \
            else None


class DrillConsoleScreen(ConsoleScreen):
    # Priority: the reply line must be reachable from any field (as F2-F5 are).
    BINDINGS = [
        Binding("ctrl+t", "focus_reply", "对来电人说话", id="drill.reply", priority=True),
    ]

    @dataclass
    class Ended(Message):
        """The drill is scored and its score screen closed; `again`: the same scenario again."""

        scenario: Scenario
        again: bool

    def __init__(self, workspace: Workspace, setup: DrillSetup) -> None:
        super().__init__(workspace)
        self.drill_setup = setup
        self.drill = DrillRun()

    def compose(self) -> ComposeResult:
        setup = self.drill_setup
        yield DrillBanner(setup.scenario, setup.trainee_id, id="drill-banner")
        yield from super().compose()

    def caller_pane(self) -> CallerPane:
        return DrillCallerPane(id="caller-pane", classes="pane")

    def on_mount(self) -> None:  # ConsoleScreen.on_mount runs too, after this
        self.set_interval(POLL_SECONDS, self._poll_caller)
        self.call_after_refresh(self._answer)

    @property
    def pane(self) -> DrillCallerPane:
        return self.query_one(DrillCallerPane)

    # -- the call ------------------------------------------------------------------------------
    def _answer(self) -> None:
        """The scripted caller's call comes in and is answered at once."""
        setup = self.drill_setup
        phone = setup.scenario.caller.phone
        self.drill.session = DrillSession(setup.scenario, setup.scorer, now=setup.now)
        self.drill.started_at = clock.now_iso()
        self.start_call(check_phone(phone).normalized or phone)
        self.action_focus_reply()
        self._poll_caller()

    def _poll_caller(self) -> None:
        session = self.drill.live
        if session is None:
            return
        self.query_one(DrillBanner).seconds = int(session.elapsed())
        for line in session.due_lines():
            self.pane.caller_says(line.say, session.elapsed())
            if self.has_class("compact") and not self.pane.has_class("active"):
                self.notify(printable(line.say or "(沉默)"), title="来电人", markup=False)

    def action_focus_reply(self) -> None:
        self.action_focus_pane("caller")
        self.pane.reply.focus()

    def action_new_call(self) -> None:
        self.notify("培训演练中只有这一通来电;结束后可在成绩页再练一次", severity="warning")

    @on(Input.Changed, "#drill-reply")
    def _reply_typed(self) -> None:
        self.drill.reply_needs_check = True

    def _check_tick(self) -> None:
        """The form's live checks, and the same forbidden-phrase check on the reply line."""
        super()._check_tick()
        if self.drill.reply_needs_check:
            self.drill.reply_needs_check = False
            self.pane.show_forbidden(self.workspace.checker.check(self.pane.reply.value))

    @on(DrillCallerPane.Said)
    def _said(self, message: DrillCallerPane.Said) -> None:
        session = self.drill.live
        if session is None:
            return
        session.say(message.text)
        self.pane.agent_says(message.text, session.elapsed(),
                             self.workspace.checker.check(message.text))
        self.drill.reply_needs_check = False
        self.pane.show_forbidden([])

    def insert_phrase(self, text: str) -> None:
        self.action_focus_reply()
        self.pane.insert(text)

    # -- what the trainee does -----------------------------------------------------------------
    def _autosave_tick(self) -> None:
        edited = self.draft.dirty
        super()._autosave_tick()
        if edited:
            self._record_form()

    def _record_form(self) -> None:
        session = self.drill.live
        if session is None:
            return
        form = self.query_one(TicketForm)
        session.form_changed(form.values())
        self._dispose(form.disposition)
        self.drill.typing_cpm = self.call.meter.per_minute() or self.drill.typing_cpm

    def _dispose(self, code: str) -> None:
        session = self.drill.live
        if session is not None and code and code != self.drill.disposed:
            session.record("dispose", code)
            self.drill.disposed = code

    def _consulted(self, article_id: str) -> None:
        session = self.drill.live
        if session is not None and article_id != self.drill.consulted:
            session.record("kb", article_id)
            self.drill.consulted = article_id

    def _use_article(self, article: KbArticle) -> None:
        super()._use_article(article)
        self._consulted(article.id)

    def _read_article(self, article: KbArticle) -> None:
        super()._read_article(article)
        self._consulted(article.id)

    @on(TicketForm.SubmitRequested)
    def _record_before_submit(self) -> None:
        self._record_form()

    # -- the end of the call: scored -----------------------------------------------------------
    def _submitted(self, ticket: Ticket) -> None:
        super()._submitted(ticket)
        self._finish()

    def _urged(self, ticket: Ticket) -> None:
        self._record_form()
        self._dispose(URGE)
        super()._urged(ticket)
        self._finish()

    def _ended_without_ticket(self, call: CallStart, reason: NoTicketReason) -> None:
        self._record_form()
        self._dispose(reason.code)
        super()._ended_without_ticket(call, reason)
        self._finish()

    def _finish(self) -> None:
        session = self.drill.live
        if session is None:
            return
        score = session.finish(self.drill.typing_cpm or None)
        self._store_result(score, list(session.actions))

    @background("drill-result")
    def _store_result(self, score: DrillScore, actions: list[Action]) -> None:
        """The score is shown even when it could not be stored (the error path says so)."""
        setup = self.drill_setup
        try:
            site_db = Database(setup.send_from) if setup.send_from else None
            try:
                stored = store_result(self.workspace.db, score, title=setup.scenario.title,
                                      trainee_id=setup.trainee_id,
                                      site_code=self.config.site_code,
                                      started_at=self.drill.started_at, actions=actions,
                                      send_from=site_db)
            finally:
                if site_db is not None:
                    site_db.close()
            earlier = [r for r in results(self.workspace.db, trainee_id=setup.trainee_id,
                                          scenario_id=setup.scenario.id) if r.id != stored.id]
        except Exception:
            self.from_thread(self._show_score, score, [])
            raise
        self.from_thread(self._show_score, score, earlier)

    def _show_score(self, score: DrillScore, earlier: list[DrillResult]) -> None:
        setup = self.drill_setup

        def closed(again: bool | None) -> None:
            self.post_message(self.Ended(setup.scenario, bool(again)))

        self.app.push_screen(DrillScoreScreen(setup.scenario.title, setup.trainee_id, score,
                                              earlier), closed)

    # -- what a drill leaves out ---------------------------------------------------------------
    def _check_for_draft(self) -> None:
        """No draft is offered: the drill database was just prepared without one."""
        self.draft.offer_pending = False

    def _check_reminders(self) -> None:
        """Due lists as on shift; no 转介回访 reminders (they would be earlier drills')."""
        self._load_due()

    def _sync_in_background(self) -> None:
        """Never: drill.db is never synced (its config has no center either)."""
